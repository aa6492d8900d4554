import type { Clock, Timer } from '../shared/clock.js';
import type { IvrChannel } from './ivr-channel.js';

export type KeyWait = { readonly kind: 'key'; readonly key: string } | { readonly kind: 'timeout' } | { readonly kind: 'ended' };

/**
 * The caller's keys for one IVR run: everything pressed (for the result), plus a type-ahead queue
 * that menu/collect nodes read from. Nodes decide when the queue is discarded (a play without
 * barge-in, an invalid entry). One waiter at a time: nodes run one after the other.
 */
export class KeyBuffer {
  private readonly all: string[] = [];
  private readonly queue: string[] = [];
  private readonly keyListeners = new Set<(key: string) => void>();
  private waiter: ((result: KeyWait) => void) | undefined;
  private unsubscribe: (() => void)[] = [];

  constructor(
    private readonly channel: IvrChannel,
    private readonly clock: Clock,
  ) {}

  /** Starts listening to the channel. */
  start(): void {
    if (this.unsubscribe.length > 0) return;
    this.unsubscribe = [
      this.channel.onDigit((key) => {
        this.press(key);
      }),
      this.channel.onEnded(() => {
        this.waiter?.({ kind: 'ended' });
      }),
    ];
  }

  /** Every key pressed since start, in order. */
  get pressed(): string {
    return this.all.join('');
  }

  /** Keys pressed but not yet consumed by a node. */
  get pending(): number {
    return this.queue.length;
  }

  clear(): void {
    this.queue.length = 0;
  }

  /** Called for each key as it arrives (before it is queued): barge-in uses it to stop a prompt. */
  onKey(listener: (key: string) => void): () => void {
    this.keyListeners.add(listener);
    return () => this.keyListeners.delete(listener);
  }

  /** The next key: at once if one is queued, else the first pressed within `timeoutMs`. */
  next(timeoutMs: number): Promise<KeyWait> {
    const queued = this.queue.shift();
    if (queued !== undefined) return Promise.resolve({ kind: 'key', key: queued });
    if (this.channel.ended) return Promise.resolve({ kind: 'ended' });
    return new Promise((resolve) => {
      const finish = (result: KeyWait): void => {
        this.clock.clearTimeout(timer);
        this.waiter = undefined;
        resolve(result);
      };
      const timer: Timer = this.clock.setTimeout(() => {
        finish({ kind: 'timeout' });
      }, timeoutMs);
      this.waiter = finish;
    });
  }

  /** Stops listening and releases a pending waiter (as `ended`). Safe to call twice. */
  close(): void {
    for (const off of this.unsubscribe) off();
    this.unsubscribe = [];
    this.keyListeners.clear();
    this.waiter?.({ kind: 'ended' });
  }

  private press(key: string): void {
    this.all.push(key);
    for (const listener of [...this.keyListeners]) listener(key);
    if (this.waiter) this.waiter({ kind: 'key', key });
    else this.queue.push(key);
  }
}
