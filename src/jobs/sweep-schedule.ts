import cron, { type ScheduledTask } from 'node-cron';
import type { Logger } from '../logging/logger.js';
import { ConfigError } from '../shared/app-error.js';
import type { JobLock } from './job-lock.js';

/** What a sweep reports: whether it ran (had the lock) and how many items it looked at. */
export interface SweepSummary {
  readonly ran: boolean;
  readonly considered: number;
}

/**
 * Schedules `run` on a cron expression (node-cron, in the centre's time zone, never overlapping
 * itself); a failed sweep is logged and the schedule goes on. `configKey` names the setting in errors.
 */
export function scheduleSweep(options: {
  readonly name: string;
  readonly configKey: string;
  readonly expression: string;
  readonly timeZone: string;
  readonly logger: Logger;
  readonly run: () => Promise<SweepSummary>;
}): ScheduledTask {
  const { name, expression, logger } = options;
  if (!cron.validate(expression)) throw new ConfigError(`${options.configKey}: "${expression}" is not a cron expression`);
  return cron.schedule(
    expression,
    async () => {
      try {
        const summary = await options.run();
        if (summary.ran && summary.considered > 0) logger.info(`${name} sweep`, { ...summary });
      } catch (err) {
        logger.error(`${name} sweep failed`, { error: err instanceof Error ? err.message : String(err) });
      }
    },
    { name: `${name}-calls`, timezone: options.timeZone, noOverlap: true },
  );
}

/** Runs `work` while holding the job lock `lockName`; `skipped()` when another process holds it. */
export async function withJobLock<T>(lock: JobLock, lockName: string, logger: Logger, skipped: () => T, work: () => Promise<T>): Promise<T> {
  const handle = await lock.tryAcquire(lockName);
  if (handle === undefined) {
    logger.info(`${lockName} skipped: another process holds the lock`);
    return skipped();
  }
  try {
    return await work();
  } finally {
    await handle.release();
  }
}
