import { expect } from 'chai';
import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sinon from 'sinon';
import { InProcessJobLock } from '../../../src/db/job-lock.js';
import { RecordingRetentionJob, RECORDING_RETENTION_LOCK, type ExpiringRecording, type RecordingExpiryStore } from '../../../src/jobs/recording-retention.job.js';
import { RecordingsUsage } from '../../../src/jobs/recordings-usage.js';
import { silentLogger } from '../../../src/logging/logger.js';
import type { Clock, Timer } from '../../../src/shared/clock.js';

const NOW = Date.parse('2026-12-02T03:07:00Z');
const DAY = 86_400_000;

function fixedClock(now: () => number): Clock {
  return { now, setTimeout: () => ({}) as Timer, clearTimeout: () => undefined };
}

/** Call rows in memory: a recording per call, started `ageDays` before NOW. */
class MemoryExpiryStore implements RecordingExpiryStore {
  readonly rows = new Map<string, { startedAt: number; recordingPath: string; expiredAt: Date | null }>();

  due(before: Date, limit: number): Promise<ExpiringRecording[]> {
    const due = [...this.rows.entries()]
      .filter(([, r]) => r.expiredAt === null && r.startedAt < before.getTime())
      .sort(([, a], [, b]) => a.startedAt - b.startedAt)
      .slice(0, limit)
      .map(([callId, r]) => ({ callId, recordingPath: r.recordingPath }));
    return Promise.resolve(due);
  }

  markExpired(callIds: readonly string[], at: Date): Promise<void> {
    for (const id of callIds) {
      const row = this.rows.get(id);
      if (row !== undefined && row.expiredAt === null) row.expiredAt = at;
    }
    return Promise.resolve();
  }
}

describe('RecordingRetentionJob', () => {
  let dir: string;
  let store: MemoryExpiryStore;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'retention-'));
    store = new MemoryExpiryStore();
  });

  afterEach(() => {
    sinon.restore();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A recording of `bytes` bytes in the day folder of its start, and its call row. */
  function recording(callId: string, ageDays: number, bytes = 1000): string {
    const startedAt = NOW - ageDays * DAY;
    const folder = join(dir, new Date(startedAt).toISOString().slice(0, 10));
    mkdirSync(folder, { recursive: true });
    const path = join(folder, `${callId}.wav`);
    writeFileSync(path, Buffer.alloc(bytes));
    store.rows.set(callId, { startedAt, recordingPath: path, expiredAt: null });
    return path;
  }

  function job(retentionDays: number, overrides: { lock?: InProcessJobLock; batchSize?: number } = {}): { job: RecordingRetentionJob; usage: RecordingsUsage } {
    const clock = fixedClock(() => NOW);
    const usage = new RecordingsUsage(dir, clock);
    const j = new RecordingRetentionJob({
      store,
      lock: overrides.lock ?? new InProcessJobLock(),
      clock,
      logger: silentLogger(),
      recordingsDir: dir,
      retentionDays,
      usage,
      timeZone: 'Asia/Shanghai',
      ...(overrides.batchSize === undefined ? {} : { batchSize: overrides.batchSize }),
    });
    return { job: j, usage };
  }

  it('when recordings are older than the retention, it deletes them, marks their calls expired, removes the emptied day folders and measures what is left', async () => {
    const old = [recording('a', 100), recording('b', 95), recording('c', 91)];
    const kept = [recording('d', 89, 3000), recording('e', 1, 5000)];
    const { job: j, usage } = job(90, { batchSize: 2 });

    const summary = await j.runOnce();

    expect(summary).to.deep.equal({ ran: true, considered: 3, deleted: 3, alreadyGone: 0, failed: 0 });
    for (const path of old) expect(existsSync(path), path).to.equal(false);
    for (const path of kept) expect(existsSync(path), path).to.equal(true);
    expect(['a', 'b', 'c'].map((id) => store.rows.get(id)?.expiredAt?.getTime())).to.deep.equal([NOW, NOW, NOW]);
    expect(['d', 'e'].map((id) => store.rows.get(id)?.expiredAt)).to.deep.equal([null, null]);
    expect(existsSync(join(dir, new Date(NOW - 100 * DAY).toISOString().slice(0, 10)))).to.equal(false);
    expect(usage.current).to.include({ files: 2, bytes: 8000, at: NOW });
    expect(usage.current?.freeBytes).to.be.a('number');
    expect(j.expiredTotal).to.equal(3);
  });

  it('when the retention is 0 (keep for ever), it deletes nothing and still measures the folder', async () => {
    const path = recording('a', 3650, 1234);
    const { job: j, usage } = job(0);
    expect(await j.runOnce()).to.include({ ran: false, considered: 0 });
    expect(existsSync(path)).to.equal(true);
    expect(store.rows.get('a')?.expiredAt).to.equal(null);
    expect(usage.current).to.include({ files: 1, bytes: 1234 });
  });

  it('when a file is already gone or lies outside RECORDINGS_DIR, its call is marked expired and nothing outside is touched', async () => {
    recording('gone', 200);
    rmSync(String(store.rows.get('gone')?.recordingPath));
    const outsideDir = mkdtempSync(join(tmpdir(), 'outside-'));
    const outside = join(outsideDir, 'x.wav');
    writeFileSync(outside, 'RIFF');
    store.rows.set('outside', { startedAt: NOW - 200 * DAY, recordingPath: outside, expiredAt: null });
    try {
      const summary = await job(30).job.runOnce();
      expect(summary).to.include({ considered: 2, deleted: 0, alreadyGone: 2, failed: 0 });
      expect(existsSync(outside)).to.equal(true);
      expect(store.rows.get('outside')?.expiredAt).to.not.equal(null);
    } finally {
      rmSync(outsideDir, { recursive: true, force: true });
    }
  });

  it('when a recording cannot be deleted, its call stays unexpired (tried again next run) and the others are done', async () => {
    recording('a', 100);
    const stuck = recording('stuck', 99);
    // A folder where the file should be: unlink fails with EISDIR/EPERM, not ENOENT.
    rmSync(stuck);
    mkdirSync(stuck);
    recording('c', 98);
    const summary = await job(30, { batchSize: 1 }).job.runOnce();
    expect(summary).to.include({ considered: 3, deleted: 2, failed: 1 });
    expect(store.rows.get('stuck')?.expiredAt).to.equal(null);
    expect(store.rows.get('c')?.expiredAt).to.not.equal(null);
  });

  it('when another process holds the lock, it deletes nothing', async () => {
    const path = recording('a', 100);
    const lock = new InProcessJobLock();
    const held = await lock.tryAcquire(RECORDING_RETENTION_LOCK);
    expect(await job(30, { lock }).job.runOnce()).to.include({ ran: false });
    expect(existsSync(path)).to.equal(true);
    await held?.release();
  });
});

describe('RecordingsUsage', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'usage-'));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('when a day folder has settled, the next refresh reuses its count; a folder whose files changed is walked again', async () => {
    let now = Date.parse('2026-12-02T00:00:00Z');
    const usage = new RecordingsUsage(dir, fixedClock(() => now));
    const oldDay = join(dir, '2026-11-01');
    mkdirSync(oldDay);
    writeFileSync(join(oldDay, 'a.wav'), Buffer.alloc(100));
    const settled = new Date('2026-11-01T12:00:00Z');
    utimesSync(oldDay, settled, settled);
    expect(await usage.refresh()).to.include({ files: 1, bytes: 100 });

    // The file grows without the folder changing (not something a settled folder sees): the cached count stands.
    writeFileSync(join(oldDay, 'a.wav'), Buffer.alloc(300));
    utimesSync(oldDay, settled, settled);
    now += 3600_000;
    expect(await usage.refresh()).to.include({ files: 1, bytes: 100 });

    // A new file changes the folder's mtime: walked again.
    writeFileSync(join(oldDay, 'b.wav'), Buffer.alloc(50));
    expect(await usage.refresh()).to.include({ files: 2, bytes: 350 });
  });

  it('when the recordings folder does not exist yet, it counts nothing', async () => {
    const usage = new RecordingsUsage(join(dir, 'missing'), fixedClock(() => 0));
    expect(await usage.refresh()).to.include({ files: 0, bytes: 0 });
  });
});
