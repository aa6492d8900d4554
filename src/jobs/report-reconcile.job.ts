import type { ScheduledTask } from 'node-cron';
import type { Logger } from '../logging/logger.js';
import { dayKeyOf } from '../metrics/local-day-key.js';
import { startOfLocalDay } from '../metrics/report-period.js';
import type { Clock } from '../shared/clock.js';
import type { JobLock } from './job-lock.js';
import { scheduleSweep, withJobLock } from './sweep-schedule.js';

/** Name of the database lock, so one process of a cluster reconciles. */
export const REPORT_RECONCILE_LOCK = 'hotline12345.report-reconcile';

/** One aggregate row that differed from the log (db/report-aggregate-rebuild.ts). */
export interface ReconcileDifference {
  readonly table: string;
  readonly key: string;
  /** Counter → [stored, recomputed]. */
  readonly counters: Readonly<Record<string, readonly [number, number]>>;
}

/** What the job needs of the database (db/report-aggregate-rebuild.ts implements it). */
export interface AggregateReconciler {
  /** Recomputes the local days [fromDay, toDay) from the log, repairs the stored rows that differ, returns them. */
  reconcile(range: { readonly fromDay: string; readonly toDay: string }): Promise<readonly ReconcileDifference[]>;
}

export interface ReportReconcileDeps {
  readonly reconciler: AggregateReconciler;
  readonly lock: JobLock;
  readonly clock: Clock;
  /** The centre's zone (config TZ): "yesterday" is its local day. */
  readonly timeZone: string;
  readonly logger: Logger;
}

export interface ReconcileSummary {
  /** False when another process held the lock. */
  readonly ran: boolean;
  /** The day checked (`YYYY-MM-DD`). */
  readonly day: string;
  /** Aggregate rows that differed from the log and were repaired. */
  readonly considered: number;
}

/**
 * Every night (REPORT_RECONCILE_CRON) recomputes yesterday's report aggregates from the event log,
 * compares them with the stored rows, repairs and logs each difference (a warning per row: a
 * difference means a write bypassed the repositories, e.g. an import, or a bug). Only one process of
 * a cluster runs it (JobLock).
 */
export class ReportReconcileJob {
  private task: ScheduledTask | undefined;
  private running: Promise<unknown> = Promise.resolve();

  constructor(private readonly deps: ReportReconcileDeps) {}

  /** Reconciles yesterday (the local day before the one holding now). */
  runOnce(): Promise<ReconcileSummary> {
    const { clock, timeZone } = this.deps;
    const today = startOfLocalDay(clock.now(), timeZone);
    const dayOf = dayKeyOf(timeZone);
    return this.reconcileDays(dayOf(today - 1), dayOf(today));
  }

  /** Reconciles the local days [fromDay, toDay). */
  reconcileDays(fromDay: string, toDay: string): Promise<ReconcileSummary> {
    const { lock, logger, reconciler } = this.deps;
    const run = withJobLock(
      lock,
      REPORT_RECONCILE_LOCK,
      logger,
      () => ({ ran: false, day: fromDay, considered: 0 }),
      async () => {
        const differences = await reconciler.reconcile({ fromDay, toDay });
        for (const d of differences) logger.warn('report aggregate repaired: it differed from the event log', { table: d.table, row: d.key, counters: d.counters });
        logger.info('report aggregates reconciled', { fromDay, toDay, repairedRows: differences.length });
        return { ran: true, day: fromDay, considered: differences.length };
      },
    );
    this.running = run.catch(() => undefined);
    return run;
  }

  /** Runs `runOnce()` on the cron expression (read in the centre's zone); a run never overlaps the previous one. */
  start(expression: string): void {
    this.task = scheduleSweep({ name: 'report-reconcile', configKey: 'REPORT_RECONCILE_CRON', expression, timeZone: this.deps.timeZone, logger: this.deps.logger, run: () => this.runOnce() });
  }

  /** Stops the schedule and waits for a run in progress. Safe to call twice. */
  async stop(): Promise<void> {
    await this.task?.stop();
    this.task = undefined;
    await this.running;
  }
}
