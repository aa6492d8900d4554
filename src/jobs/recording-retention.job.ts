import type { ScheduledTask } from 'node-cron';
import { readdir, rmdir, unlink } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import type { Logger } from '../logging/logger.js';
import type { Clock } from '../shared/clock.js';
import { isMissing } from '../shared/folder-usage.js';
import type { JobLock } from './job-lock.js';
import type { RecordingsUsage } from './recordings-usage.js';
import { scheduleSweep, withJobLock } from './sweep-schedule.js';

/** Name of the database lock: one process of a cluster deletes recordings. */
export const RECORDING_RETENTION_LOCK = 'hotline12345.recording-retention';

/** Files that could not be deleted before a run gives up (a read-only or foreign-owned folder fails them all). */
const MAX_FAILURES_PER_RUN = 100;

/** A call whose recording is past its retention. */
export interface ExpiringRecording {
  readonly callId: string;
  readonly recordingPath: string;
}

/** The call rows the job reads and marks (db/recording-expiry-store.ts). */
export interface RecordingExpiryStore {
  /** Calls started before `before` with a recording not yet expired, oldest first, at most `limit`. */
  due(before: Date, limit: number): Promise<ExpiringRecording[]>;
  /** Marks the calls' recordings as expired at `at` (the API then answers 410 for them). */
  markExpired(callIds: readonly string[], at: Date): Promise<void>;
}

export interface RecordingRetentionDeps {
  readonly store: RecordingExpiryStore;
  readonly lock: JobLock;
  readonly clock: Clock;
  readonly logger: Logger;
  /** RECORDINGS_DIR: only files inside it are ever deleted, whatever path a row holds. */
  readonly recordingsDir: string;
  /** RECORDING_RETENTION_DAYS: recordings of calls started longer ago are deleted; 0 keeps them for ever. */
  readonly retentionDays: number;
  /** Measured after every run, for /metrics. */
  readonly usage: RecordingsUsage;
  /** TZ: the zone the cron expression is read in. */
  readonly timeZone: string;
  /** Rows read and marked at once, default 500. */
  readonly batchSize?: number;
}

export interface RetentionSummary {
  /** False when another process held the lock (or retention is off): nothing was deleted here. */
  readonly ran: boolean;
  /** Calls whose recording was past retention. */
  readonly considered: number;
  /** Files deleted. */
  readonly deleted: number;
  /** Rows marked expired whose file was already gone or lay outside RECORDINGS_DIR (not touched). */
  readonly alreadyGone: number;
  /** Files that could not be deleted (kept, the row not marked; tried again at the next run). */
  readonly failed: number;
}

/**
 * Recording retention (issue 13): every run (RECORDING_RETENTION_CRON) deletes the recordings of
 * calls started more than RECORDING_RETENTION_DAYS ago, marks their rows expired (the call record
 * itself stays: reports and work orders keep pointing at it) and removes emptied day folders; then
 * measures the folder for /metrics. One process of a cluster deletes (JobLock); each measures.
 */
export class RecordingRetentionJob {
  private readonly log: Logger;
  private task: ScheduledTask | undefined;
  private current: Promise<RetentionSummary> | undefined;
  private stopping = false;
  /** Recordings deleted (or found gone) by this process since it started: hotline_recordings_expired_total. */
  expiredTotal = 0;

  constructor(private readonly deps: RecordingRetentionDeps) {
    this.log = deps.logger.child({ job: 'recording-retention' });
  }

  /** One run: deletes what is past retention (under the lock), then measures the folder. */
  async runOnce(): Promise<RetentionSummary> {
    const run = this.deps.retentionDays > 0 ? withJobLock(this.deps.lock, RECORDING_RETENTION_LOCK, this.log, notRun, () => this.expire()) : Promise.resolve(notRun());
    this.current = run;
    try {
      return await run;
    } finally {
      try {
        await this.deps.usage.refresh();
      } catch (err) {
        this.log.warn('recordings folder not measured', { error: err instanceof Error ? err.message : String(err) });
      }
      if (this.current === run) this.current = undefined;
    }
  }

  /** Runs `runOnce()` on the cron expression (node-cron, in `timeZone`); a run never overlaps the previous one. */
  start(expression: string): void {
    this.task = scheduleSweep({ name: 'recording retention', configKey: 'RECORDING_RETENTION_CRON', expression, timeZone: this.deps.timeZone, logger: this.log, run: () => this.runOnce() });
  }

  /** Stops the schedule and waits for a run in progress (it stops after its current batch). Safe twice. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.task?.stop();
    this.task = undefined;
    await this.current?.catch(() => undefined);
  }

  private async expire(): Promise<RetentionSummary> {
    const { store, clock, retentionDays } = this.deps;
    const batchSize = this.deps.batchSize ?? 500;
    const cutoff = new Date(clock.now() - retentionDays * 86_400_000);
    const counts = { considered: 0, deleted: 0, alreadyGone: 0, failed: 0 };
    const failed = new Set<string>();
    while (!this.stopping) {
      const due = (await store.due(cutoff, batchSize + failed.size)).filter((r) => !failed.has(r.callId));
      if (due.length === 0) break;
      const expired: string[] = [];
      for (const recording of due.slice(0, batchSize)) {
        counts.considered++;
        const outcome = await this.remove(recording);
        if (outcome === 'failed') {
          failed.add(recording.callId);
          counts.failed++;
        } else {
          expired.push(recording.callId);
          counts[outcome === 'deleted' ? 'deleted' : 'alreadyGone']++;
        }
      }
      if (expired.length > 0) await store.markExpired(expired, new Date(clock.now()));
      this.expiredTotal += expired.length;
      if (failed.size >= MAX_FAILURES_PER_RUN) {
        this.log.error('recording retention stopped for this run: too many recordings could not be deleted', { failed: failed.size });
        break;
      }
    }
    await this.removeEmptyDayFolders(cutoff);
    return { ran: true, ...counts };
  }

  private async remove(recording: ExpiringRecording): Promise<'deleted' | 'gone' | 'failed'> {
    const file = resolve(recording.recordingPath);
    const rel = relative(resolve(this.deps.recordingsDir), file);
    if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) {
      this.log.warn('recording outside RECORDINGS_DIR not deleted; marked expired', { callId: recording.callId });
      return 'gone';
    }
    try {
      await unlink(file);
      return 'deleted';
    } catch (err) {
      if (isMissing(err)) return 'gone';
      this.log.error('recording not deleted', { callId: recording.callId, error: err instanceof Error ? err.message : String(err) });
      return 'failed';
    }
  }

  /** Day folders (`YYYY-MM-DD`, UTC, as calls/queued-call.ts names them) entirely before the cutoff, once empty. */
  private async removeEmptyDayFolders(cutoff: Date): Promise<void> {
    const lastDay = cutoff.toISOString().slice(0, 10);
    const entries = await readdir(this.deps.recordingsDir, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      if (!entry.isDirectory() || !/^\d{4}-\d{2}-\d{2}$/.test(entry.name) || entry.name >= lastDay) continue;
      const folder = join(this.deps.recordingsDir, entry.name);
      // Fails (and is left) when a file remains: a recording whose row is not expired, or a stray file.
      await rmdir(folder).then(
        () => {
          this.deps.usage.forget(folder);
        },
        () => undefined,
      );
    }
  }
}

function notRun(): RetentionSummary {
  return { ran: false, considered: 0, deleted: 0, alreadyGone: 0, failed: 0 };
}
