import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DurableNoticeHits } from '../../src/db/durable-notice-hits.js';
import { SequelizeNoticeRepository } from '../../src/db/sequelize-notice-repository.js';
import { silentLogger } from '../../src/logging/logger.js';
import { NoticeCallRecorder } from '../../src/notices/notice-call-recorder.js';
import type { NoticeHit } from '../../src/notices/notice.js';
import { systemClock } from '../../src/shared/clock.js';
import { openTestDatabase, testDbKind, type TestDatabase } from '../support/test-database.js';

const HOUR = 3_600_000;
const T0 = Date.parse('2026-12-03T00:00:00Z');

function hit(key: string, noticeId: number, day: string, pressed: boolean): NoticeHit {
  return { key, noticeId, callId: `call-${key}`, day, at: T0, pressed };
}

describe(`notice repository and hit counts (${testDbKind()})`, () => {
  let test: TestDatabase;
  let repo: SequelizeNoticeRepository;

  before(async () => {
    test = await openTestDatabase();
    repo = new SequelizeNoticeRepository(test.db.sequelize);
  });
  after(async () => {
    await test.drop();
  });

  it('when a notice is stored, edited and withdrawn, it reads back as written (areas, categories, times to the ms)', async () => {
    const created = await repo.create({ title: '河东区停水通知', text: '12月3日8时至18时停水。', areas: ['河东区', '大王庄街道'], categoryIds: [3, 12], validFrom: T0 + 1, validTo: T0 + 10 * HOUR, createdBy: 1 }, T0);
    expect(await repo.get(created.id)).to.deep.equal(created);
    expect(created).to.include({ status: 'active', validFrom: T0 + 1, createdAt: T0, withdrawnAt: null });
    expect(created.areas).to.deep.equal(['河东区', '大王庄街道']);
    const edited = await repo.update(created.id, { text: '提前至16时恢复。', areas: [] }, T0 + HOUR);
    expect(edited).to.include({ text: '提前至16时恢复。', updatedAt: T0 + HOUR, title: '河东区停水通知' });
    const withdrawn = await repo.update(created.id, { status: 'withdrawn', withdrawnAt: T0 + 2 * HOUR }, T0 + 2 * HOUR);
    expect(withdrawn).to.include({ status: 'withdrawn', withdrawnAt: T0 + 2 * HOUR });
    expect((await repo.listCurrent(T0 + 3 * HOUR)).map((n) => n.id)).to.include(created.id);
    expect((await repo.listCurrent(T0 + 10 * HOUR)).map((n) => n.id), 'over at validTo').to.not.include(created.id);
  });

  it('when hits are stored, the counts are per notice per local day, heard and pressed, and a replayed hit counts once', async () => {
    await repo.addHits([hit('a#1', 1, '2026-12-03', true), hit('b#1', 1, '2026-12-03', false), hit('b#2', 2, '2026-12-03', false)]);
    await repo.addHits([hit('c#1', 1, '2026-12-04', true), hit('d#1', 1, '2026-12-02', true)]);
    await repo.addHits([hit('a#1', 1, '2026-12-03', true)]); // a replay after a crash
    expect(await repo.countsByDay('2026-12-03', '2026-12-05')).to.deep.equal([
      { noticeId: 1, day: '2026-12-03', heard: 2, pressed: 1 },
      { noticeId: 2, day: '2026-12-03', heard: 1, pressed: 0 },
      { noticeId: 1, day: '2026-12-04', heard: 1, pressed: 1 },
    ]);
    expect(await repo.countsByDay('2026-12-05', '2026-12-06')).to.deep.equal([]);
  });

  it('when a call is recorded through the hit spool, its hits reach the database and a reopened spool replays nothing twice', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'notice-spool-'));
    try {
      await test.db.sequelize.query('DELETE FROM notice_hits');
      const options = { dir, maxBytes: 1_000_000, nodeId: 'n1', clock: systemClock, logger: silentLogger() };
      const hits = await DurableNoticeHits.open(test.db, repo, options);
      const recorder = new NoticeCallRecorder({ writer: hits, clock: systemClock, timeZone: 'Asia/Shanghai' });
      await recorder.recordCall('call-1', { noticesHeard: '5,6', noticePressed: '6' });
      await recorder.recordCall('call-2', { callerNumber: '13800000000' }); // heard nothing
      await hits.close(5_000);
      const reopened = await DurableNoticeHits.open(test.db, repo, options);
      await reopened.close(5_000);
      const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());
      const counts = await repo.countsByDay(today, '9999-12-31');
      expect(counts).to.deep.equal([
        { noticeId: 5, day: today, heard: 1, pressed: 0 },
        { noticeId: 6, day: today, heard: 1, pressed: 1 },
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
