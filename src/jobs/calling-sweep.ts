import type { ScheduledTask } from 'node-cron';
import { CallSlots, OutboundDialer, type AttemptReport, type CallingHours, type OutboundCaller, type OutboundTask, type TaskReport } from '../dialer/index.js';
import type { Logger } from '../logging/logger.js';
import type { Clock } from '../shared/clock.js';
import type { JobLock } from './job-lock.js';
import { scheduleSweep, withJobLock, type SweepSummary } from './sweep-schedule.js';

/** What a calling job hands over from its own deps (SupervisionJobDeps and SurveyJobDeps extend it). */
export interface CallingSweepDeps {
  /** Places one call and runs the job's flow on it (calls/outbound-ivr-call.ts). */
  readonly caller: OutboundCaller;
  /** The process-wide outbound semaphore (OUTBOUND_MAX_CONCURRENT), shared by the jobs. Default: one call at a time. */
  readonly slots?: CallSlots;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly lock: JobLock;
  /** CALLING_HOURS: outside them no call is placed and no attempt is counted. */
  readonly callingHours: CallingHours;
  /** TZ: the zone the cron expression is read in. */
  readonly timeZone: string;
}

export interface CallingSweepOptions<S extends SweepSummary> {
  /** Names the dialer, the cron task (`<name>-calls`), the log lines and the `job` field of the child logger. */
  readonly name: string;
  /** The cron setting, named in the error for a bad expression. */
  readonly configKey: string;
  /** The JobLock name: one process of a cluster sweeps. */
  readonly lockName: string;
  /** The summary when another process holds the lock. */
  readonly notRun: () => S;
  /** One sweep, run while holding the lock. */
  readonly sweep: () => Promise<S>;
}

/** The counters `dial()` keeps: calls placed, and planned tasks that ended without an attempt. */
export interface DialCounts {
  called: number;
  skipped: { outsideHours: number; cancelled: number };
}

/** Around one `dial()`: `before` just before the first call, `after` once it is over and its writes are done (even on failure). */
export interface DialHooks {
  readonly before?: () => void;
  readonly after?: () => void;
}

/**
 * The plumbing the calling jobs (supervision.job.ts, survey.job.ts) share: their OutboundDialer,
 * `runOnce()` under the job lock (the run in progress is remembered so `stop()` can wait for it),
 * `start()` on a cron expression and `stop()`. The job keeps what is its own: what to call, why
 * not, how each attempt is stored and what its summary says; it hands its planned tasks to `dial()`.
 */
export class CallingSweep<S extends SweepSummary> {
  /** The job's logger (`{ job: name }`). */
  readonly log: Logger;
  private readonly dialer: OutboundDialer;
  private task: ScheduledTask | undefined;
  private current: Promise<S> | undefined;

  constructor(
    private readonly deps: CallingSweepDeps,
    private readonly options: CallingSweepOptions<S>,
  ) {
    this.log = deps.logger.child({ job: options.name });
    this.dialer = new OutboundDialer({
      name: options.name,
      caller: deps.caller,
      slots: deps.slots ?? new CallSlots(1),
      clock: deps.clock,
      logger: deps.logger,
      callingHours: deps.callingHours,
    });
  }

  runOnce(): Promise<S> {
    const run = withJobLock(this.deps.lock, this.options.lockName, this.log, this.options.notRun, this.options.sweep);
    this.current = run;
    void run
      .finally(() => {
        if (this.current === run) this.current = undefined;
      })
      .catch(() => undefined);
    return run;
  }

  start(expression: string): void {
    if (this.task !== undefined) return;
    const { name, configKey } = this.options;
    const { timeZone, callingHours } = this.deps;
    this.task = scheduleSweep({ name, configKey, expression, timeZone, logger: this.log, run: () => this.runOnce() });
    this.log.info(`${name} calls scheduled`, { cron: expression, timeZone, callingHours: callingHours.toString() });
  }

  async stop(): Promise<void> {
    const task = this.task;
    this.task = undefined;
    if (task !== undefined) await task.destroy();
    this.dialer.close();
    await this.current?.catch(() => undefined);
  }

  /**
   * Calls the planned tasks (outside calling hours they are skipped, not waited for: the next sweep
   * comes back) and hands each attempt to `onAttempt`, whose write is awaited before this resolves.
   * Counts into `counts`; once the dialer is closed nothing is called and every task counts as cancelled.
   */
  async dial<P extends { readonly task: OutboundTask }>(planned: readonly P[], counts: DialCounts, onAttempt: (p: P, report: AttemptReport) => Promise<void>, hooks: DialHooks = {}): Promise<void> {
    if (planned.length === 0) return;
    if (this.dialer.closed) {
      counts.skipped.cancelled += planned.length;
      return;
    }
    hooks.before?.();

    const byTask = new Map(planned.map((p) => [p.task.id, p]));
    const writes: Promise<void>[] = [];
    const onAttemptReport = (report: AttemptReport): void => {
      const p = byTask.get(report.task.id);
      if (p === undefined) return;
      counts.called++;
      writes.push(onAttempt(p, report));
    };
    const onTask = (report: TaskReport): void => {
      if (!byTask.has(report.task.id) || report.attempts.length > 0) return;
      if (report.status === 'outside-hours') counts.skipped.outsideHours++;
      else if (report.status === 'cancelled') counts.skipped.cancelled++;
    };
    this.dialer.observer.on('attempt', onAttemptReport).on('task', onTask);
    try {
      await this.dialer.run(
        planned.map((p) => p.task),
        { whenClosed: 'skip' },
      );
    } finally {
      this.dialer.observer.off('attempt', onAttemptReport).off('task', onTask);
      await Promise.all(writes);
      hooks.after?.();
    }
  }
}
