import type { Registry } from 'prom-client';
import { registerRecordingsGauges } from '../api/recordings-gauges.js';
import type { Config } from '../config/config.js';
import { createJobLock } from '../db/job-lock.js';
import { SequelizeRecordingExpiryStore } from '../db/recording-expiry-store.js';
import { RecordingRetentionJob } from '../jobs/recording-retention.job.js';
import { RecordingsUsage } from '../jobs/recordings-usage.js';
import type { Logger } from '../logging/logger.js';
import type { Clock } from '../shared/clock.js';
import type { Closers } from './closers.js';
import type { Storage } from './storage.js';

/**
 * Recording retention and disk use: the job deleting recordings older than RECORDING_RETENTION_DAYS
 * (one process of a cluster) and measuring RECORDINGS_DIR for /metrics, on RECORDING_RETENTION_CRON.
 * The first measurement starts at once in the background (a large folder must not delay start-up).
 */
export function startRecordingRetention(
  config: Config,
  deps: { readonly registry: Registry; readonly storage: Storage; readonly clock: Clock; readonly logger: Logger; readonly closers: Closers },
): RecordingRetentionJob {
  const usage = new RecordingsUsage(config.RECORDINGS_DIR, deps.clock);
  const job = new RecordingRetentionJob({
    store: new SequelizeRecordingExpiryStore(deps.storage.db.sequelize),
    lock: createJobLock(deps.storage.db),
    clock: deps.clock,
    logger: deps.logger,
    recordingsDir: config.RECORDINGS_DIR,
    retentionDays: config.RECORDING_RETENTION_DAYS,
    usage,
    timeZone: config.TZ,
  });
  registerRecordingsGauges(deps.registry, () => ({ usage: usage.current, expiredTotal: job.expiredTotal }));
  deps.closers.add('recording retention job', () => job.stop());
  job.start(config.RECORDING_RETENTION_CRON);
  job.runOnce().catch((err: unknown) => {
    deps.logger.error('recording retention failed', { error: err instanceof Error ? err.message : String(err) });
  });
  return job;
}
