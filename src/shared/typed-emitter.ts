import { EventEmitter } from 'node:events';

/** Told about a listener that threw (or whose promise rejected); the emitter and the other listeners carry on. */
export type ListenerErrorHandler = (event: string, error: unknown) => void;

export interface TypedEmitterOptions {
  /**
   * Where a failing listener is reported: the owner passes its logger here (shared/ imports no
   * logging). Without one the error goes to stderr through `process.emitWarning`, never unreported.
   */
  readonly onListenerError?: ListenerErrorHandler;
}

/**
 * An EventEmitter whose event names and argument lists are checked by the compiler (after
 * mediasoup's enhancedEvents). `Events` maps each event name to its argument tuple.
 *
 * `emit` is guarded like mediasoup's `safeEmit`, one step further: each listener runs in its own
 * try/catch, so a throwing listener is reported and neither unwinds the state change that emitted
 * the event nor keeps the later listeners from hearing it. A listener that returns a promise has
 * its rejection reported the same way (never an unhandled rejection).
 */
export class TypedEmitter<Events extends Record<string, unknown[]>> {
  private readonly emitter = new EventEmitter();
  private onListenerError: ListenerErrorHandler;

  constructor(options: TypedEmitterOptions = {}) {
    this.emitter.setMaxListeners(50);
    this.onListenerError = options.onListenerError ?? warnListenerError;
  }

  /** Sets where failing listeners are reported (for owners that get their logger after construction). */
  reportListenerErrorsTo(handler: ListenerErrorHandler): this {
    this.onListenerError = handler;
    return this;
  }

  on<K extends keyof Events & string>(event: K, listener: (...args: Events[K]) => void): this {
    this.emitter.on(event, listener as (...args: unknown[]) => void);
    return this;
  }

  once<K extends keyof Events & string>(event: K, listener: (...args: Events[K]) => void): this {
    this.emitter.once(event, listener as (...args: unknown[]) => void);
    return this;
  }

  off<K extends keyof Events & string>(event: K, listener: (...args: Events[K]) => void): this {
    this.emitter.off(event, listener as (...args: unknown[]) => void);
    return this;
  }

  /** Calls every listener of `event` in order; true when there was at least one. Never throws. */
  emit<K extends keyof Events & string>(event: K, ...args: Events[K]): boolean {
    // A copy, as EventEmitter does: listeners added or removed by a listener do not change this round.
    // rawListeners keeps the `once` wrappers, which remove themselves when called.
    const listeners = this.emitter.rawListeners(event) as ((...a: unknown[]) => unknown)[];
    for (const listener of listeners) {
      try {
        const result = Reflect.apply(listener, this.emitter, args);
        if (isThenable(result)) {
          result.then(undefined, (err: unknown) => {
            this.report(event, err);
          });
        }
      } catch (err) {
        this.report(event, err);
      }
    }
    return listeners.length > 0;
  }

  listenerCount(event: keyof Events & string): number {
    return this.emitter.listenerCount(event);
  }

  removeAllListeners(): this {
    this.emitter.removeAllListeners();
    return this;
  }

  private report(event: string, err: unknown): void {
    try {
      this.onListenerError(event, err);
    } catch {
      // The reporter itself failed (e.g. a closed log stream): the event must still not unwind.
      warnListenerError(event, err);
    }
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

function warnListenerError(event: string, err: unknown): void {
  const detail = err instanceof Error ? (err.stack ?? err.message) : String(err);
  process.emitWarning(`a listener of "${event}" failed: ${detail}`, { code: 'LISTENER_ERROR' });
}
