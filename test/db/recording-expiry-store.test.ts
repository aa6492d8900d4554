import { expect } from 'chai';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toCallRecordJson } from '../../src/api/calls.routes.js';
import { InProcessJobLock } from '../../src/db/job-lock.js';
import { SequelizeRecordingExpiryStore } from '../../src/db/recording-expiry-store.js';
import { SequelizeCallRecordRepository } from '../../src/db/sequelize-call-record-repository.js';
import { RecordingRetentionJob } from '../../src/jobs/recording-retention.job.js';
import { RecordingsUsage } from '../../src/jobs/recordings-usage.js';
import { silentLogger } from '../../src/logging/logger.js';
import type { Clock, Timer } from '../../src/shared/clock.js';
import { openTestDatabase, testDbKind, type TestDatabase } from '../support/test-database.js';

const NOW = Date.parse('2026-12-02T03:07:00.000Z');
const DAY = 86_400_000;

describe(`recording retention on the calls table (${testDbKind()})`, () => {
  let testDb: TestDatabase;
  let dir: string;

  beforeEach(async () => {
    testDb = await openTestDatabase();
    dir = mkdtempSync(join(tmpdir(), 'retention-db-'));
  });

  afterEach(async () => {
    await testDb.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('when the job runs, calls older than the retention are marked expired (the API says so), newer ones and calls without a recording are untouched', async () => {
    const calls = new SequelizeCallRecordRepository(testDb.db.sequelize);
    const file = (callId: string, startedAt: number): string => {
      const folder = join(dir, new Date(startedAt).toISOString().slice(0, 10));
      mkdirSync(folder, { recursive: true });
      const path = join(folder, `${callId}.wav`);
      writeFileSync(path, Buffer.alloc(64));
      return path;
    };
    const add = async (callId: string, ageDays: number, recorded: boolean): Promise<string | undefined> => {
      const startedAt = NOW - ageDays * DAY;
      await calls.create({ callId, direction: 'inbound', from: '13812345678', to: '12345', startedAt: new Date(startedAt) });
      if (!recorded) return undefined;
      const path = file(callId, startedAt);
      await calls.update(callId, { recordingPath: path, endedAt: new Date(startedAt + 60_000) });
      return path;
    };
    const oldPath = await add('old@host', 200, true);
    await add('old-unrecorded@host', 200, false);
    const newPath = await add('new@host', 10, true);

    const clock: Clock = { now: () => NOW, setTimeout: () => ({}) as Timer, clearTimeout: () => undefined };
    const job = new RecordingRetentionJob({
      store: new SequelizeRecordingExpiryStore(testDb.db.sequelize),
      lock: new InProcessJobLock(),
      clock,
      logger: silentLogger(),
      recordingsDir: dir,
      retentionDays: 180,
      usage: new RecordingsUsage(dir, clock),
      timeZone: 'Asia/Shanghai',
    });
    expect(await job.runOnce()).to.include({ ran: true, considered: 1, deleted: 1 });
    expect(existsSync(String(oldPath))).to.equal(false);
    expect(existsSync(String(newPath))).to.equal(true);

    const old = await calls.get('old@host');
    expect(old?.recordingExpiredAt?.toISOString()).to.equal(new Date(NOW).toISOString());
    expect(old?.recordingPath).to.equal(oldPath);
    expect(old === undefined ? undefined : toCallRecordJson(old)).to.include({ hasRecording: false, recordingExpiredAt: '2026-12-02T03:07:00.000Z' });
    expect((await calls.get('new@host'))?.recordingExpiredAt).to.equal(null);
    expect((await calls.get('old-unrecorded@host'))?.recordingExpiredAt).to.equal(null);

    // A second run finds nothing left to do.
    expect(await job.runOnce()).to.include({ considered: 0 });
  });
});
