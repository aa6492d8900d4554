import type { Logger } from '../logging/logger.js';
import { InvalidStateError } from '../shared/app-error.js';
import type { Clock, Timer } from '../shared/clock.js';
import { maskPhone } from '../shared/mask.js';
import { TypedEmitter } from '../shared/typed-emitter.js';
import type { CallingHours } from './calling-hours.js';
import type { CallSlots } from './call-slots.js';
import type { CallOutcome, OutboundCaller, OutboundTask } from './outbound-caller.js';

export interface OutboundDialerOptions {
  /** Campaign name for logs, e.g. `supervision`, `survey`. */
  readonly name: string;
  readonly caller: OutboundCaller;
  /** The process-wide semaphore (OUTBOUND_MAX_CONCURRENT), shared with other campaigns. */
  readonly slots: CallSlots;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Absent: calls at any time. */
  readonly callingHours?: CallingHours;
  /** Whether an attempt's outcome deserves another attempt. Default: see `defaultShouldRetry`. */
  readonly shouldRetry?: (outcome: CallOutcome) => boolean;
}

export interface RunOptions {
  /**
   * Outside calling hours: `wait` for the next window (a campaign that runs all day), or `skip`
   * the task with status `outside-hours` (a periodic job that will come back). Default `wait`.
   */
  readonly whenClosed?: 'wait' | 'skip';
}

export interface AttemptReport {
  readonly task: OutboundTask;
  /** 1-based, within this run. */
  readonly attempt: number;
  readonly outcome: CallOutcome;
  readonly startedAt: Date;
  readonly endedAt: Date;
}

/** `done`: an attempt ended without needing another; `exhausted`: every attempt wanted a retry. */
export type TaskStatus = 'done' | 'exhausted' | 'outside-hours' | 'cancelled';

export interface TaskReport {
  readonly task: OutboundTask;
  readonly status: TaskStatus;
  readonly attempts: readonly AttemptReport[];
}

export interface OutboundDialerEvents extends Record<string, unknown[]> {
  /** One call attempt ended (campaigns store it here, as it happens). */
  attempt: [report: AttemptReport];
  /** A task is finished, whatever its status. */
  task: [report: TaskReport];
}

/** Default retry rule: answered calls are final; so are numbers that do not exist or may not be dialled, refusals and our own cancel. */
export function defaultShouldRetry(outcome: CallOutcome): boolean {
  if (outcome.kind === 'answered') return false;
  return outcome.failure !== 'not-found' && outcome.failure !== 'declined' && outcome.failure !== 'cancelled' && outcome.failure !== 'refused-by-dial-plan';
}

/**
 * Places the calls of a campaign: each task gets up to `maxAttempts` attempts `retryAfterMs`
 * apart, every call holds one of the shared CallSlots while it lasts, and no call starts outside
 * the calling hours. Results go to `observer` (`attempt`, `task`) and to the value `run()`
 * resolves with. `close()` cancels waits and aborts calls in progress.
 */
export class OutboundDialer {
  readonly observer = new TypedEmitter<OutboundDialerEvents>();
  private readonly abort = new AbortController();
  private readonly timers = new Map<Timer, () => void>();
  private readonly log: Logger;

  constructor(private readonly options: OutboundDialerOptions) {
    this.log = options.logger.child({ campaign: options.name });
  }

  get closed(): boolean {
    return this.abort.signal.aborted;
  }

  /** Runs every task (concurrently, within the slots); resolves when all are finished or cancelled. */
  async run(tasks: readonly OutboundTask[], options: RunOptions = {}): Promise<TaskReport[]> {
    if (this.closed) throw new InvalidStateError(`dialer "${this.options.name}" is closed`);
    return Promise.all(tasks.map((task) => this.runTask(task, options.whenClosed ?? 'wait')));
  }

  /** Aborts calls in progress and pending waits (their tasks end `cancelled`). Safe to call twice. */
  close(): void {
    if (this.closed) return;
    this.abort.abort();
    for (const [timer, wake] of this.timers) {
      this.options.clock.clearTimeout(timer);
      wake();
    }
    this.timers.clear();
  }

  private async runTask(task: OutboundTask, whenClosed: 'wait' | 'skip'): Promise<TaskReport> {
    const { clock, slots, caller } = this.options;
    const shouldRetry = this.options.shouldRetry ?? defaultShouldRetry;
    const maxAttempts = Math.max(1, task.maxAttempts ?? 1);
    const signal = this.abort.signal;
    const attempts: AttemptReport[] = [];
    const finish = (status: TaskStatus): TaskReport => {
      const report: TaskReport = { task, status, attempts };
      this.observer.emit('task', report);
      return report;
    };

    while (attempts.length < maxAttempts) {
      if (!(await this.waitForHours(whenClosed))) return finish(this.closed ? 'cancelled' : 'outside-hours');
      let release: (() => void) | undefined;
      try {
        release = await slots.acquire(signal);
      } catch {
        return finish('cancelled');
      }
      let outcome: CallOutcome;
      let startedAt: Date;
      try {
        // Waiting for a slot may have taken us past the end of a window.
        if (!this.isOpen()) continue;
        startedAt = new Date(clock.now());
        this.log.info('outbound call', { task: task.id, attempt: attempts.length + 1, target: maskTarget(task.target) });
        outcome = await this.place(caller, task, signal);
      } finally {
        release();
      }
      const report: AttemptReport = { task, attempt: attempts.length + 1, outcome, startedAt, endedAt: new Date(clock.now()) };
      attempts.push(report);
      this.log.info('outbound call ended', { task: task.id, attempt: report.attempt, ...describe(outcome) });
      this.observer.emit('attempt', report);
      if (this.closed) return finish('cancelled');
      if (!shouldRetry(outcome)) return finish('done');
      if (attempts.length < maxAttempts && !(await this.sleep(task.retryAfterMs ?? 0))) return finish('cancelled');
    }
    return finish('exhausted');
  }

  private async place(caller: OutboundCaller, task: OutboundTask, signal: AbortSignal): Promise<CallOutcome> {
    try {
      return await caller.call(task, signal);
    } catch (err) {
      // The port should not reject; if it does, the attempt counts as failed rather than losing the task.
      this.log.error('outbound caller failed', { task: task.id, error: err instanceof Error ? err.message : String(err) });
      return { kind: 'failed', failure: 'failed' };
    }
  }

  private isOpen(): boolean {
    const hours = this.options.callingHours;
    return hours === undefined || hours.isOpen(this.options.clock.now());
  }

  /** True once inside calling hours; false when skipping, when there is no next window, or when closed. */
  private async waitForHours(whenClosed: 'wait' | 'skip'): Promise<boolean> {
    const hours = this.options.callingHours;
    while (!this.closed) {
      if (hours === undefined || this.isOpen()) return true;
      if (whenClosed === 'skip') return false;
      const next = hours.nextOpen(this.options.clock.now());
      if (next === undefined) return false;
      if (!(await this.sleep(next.getTime() - this.options.clock.now()))) return false;
    }
    return false;
  }

  /** Resolves true after `ms` (Clock time), false when the dialer closes first. */
  private sleep(ms: number): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    if (ms <= 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = this.options.clock.setTimeout(() => {
        this.timers.delete(timer);
        resolve(!this.closed);
      }, ms);
      this.timers.set(timer, () => {
        resolve(false);
      });
    });
  }
}

/** Masks a dial target for logs: the number part of `tel:`/`sip:` targets (extensions stay). */
export function maskTarget(target: string): string {
  const m = /^(tel:|sips?:)([^@;]*)(.*)$/.exec(target);
  if (m === null) return target;
  return `${m[1] ?? ''}${maskPhone(m[2] ?? '')}${m[3] ?? ''}`;
}

function describe(outcome: CallOutcome): Record<string, unknown> {
  return outcome.kind === 'answered'
    ? { result: 'answered', callId: outcome.callId, ivrOutcome: outcome.ivrOutcome, path: outcome.ivrPath }
    : { result: outcome.failure, callId: outcome.callId, ...(outcome.reason === undefined ? {} : { reason: outcome.reason }) };
}
