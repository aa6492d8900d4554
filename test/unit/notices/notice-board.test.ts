import { expect } from 'chai';
import sinon from 'sinon';
import { silentLogger } from '../../../src/logging/logger.js';
import { NoticeBoard } from '../../../src/notices/notice-board.js';
import { noticeHitsOf, localDay } from '../../../src/notices/notice-hits.js';
import type { NewNotice, Notice, NoticeChanges, NoticeDayCount, NoticeRepository } from '../../../src/notices/notice.js';
import { ValidationError } from '../../../src/shared/app-error.js';
import { fakeClock } from '../ivr/ivr-test-kit.js';

/** 2026-12-03 09:00 in Shanghai. */
const NOW = Date.parse('2026-12-03T01:00:00Z');
const HOUR = 3_600_000;

class MemoryNotices implements NoticeRepository {
  readonly rows: Notice[] = [];
  reads = 0;
  create(n: NewNotice, now: number): Promise<Notice> {
    const notice: Notice = { ...n, id: this.rows.length + 1, status: 'active', createdAt: now, updatedAt: now, withdrawnAt: null };
    this.rows.push(notice);
    return Promise.resolve(notice);
  }
  get(id: number): Promise<Notice | undefined> {
    return Promise.resolve(this.rows.find((r) => r.id === id));
  }
  update(id: number, c: NoticeChanges, now: number): Promise<Notice> {
    const i = this.rows.findIndex((r) => r.id === id);
    const row = { ...(this.rows[i] as Notice), ...c, updatedAt: now };
    this.rows[i] = row;
    return Promise.resolve(row);
  }
  listCurrent(now: number): Promise<Notice[]> {
    this.reads++;
    return Promise.resolve(this.rows.filter((r) => r.validTo > now).reverse());
  }
  list(limit: number): Promise<Notice[]> {
    return Promise.resolve([...this.rows].reverse().slice(0, limit));
  }
  countsByDay(): Promise<NoticeDayCount[]> {
    return Promise.resolve([]);
  }
}

const WATER = { title: '河东区停水通知', text: '12月3日8时至18时,河东区部分区域停水。', areas: ['河东区'], validFrom: '2026-12-03T08:00:00+08:00', validTo: '2026-12-03T18:00:00+08:00' };

async function board() {
  const { clock, timers } = fakeClock();
  timers.setSystemTime(NOW);
  const repo = new MemoryNotices();
  const warmed: string[] = [];
  const b = new NoticeBoard({ notices: repo, clock, logger: silentLogger(), warm: (t) => (warmed.push(t), Promise.resolve()) });
  await b.start();
  return { b, repo, timers, warmed };
}

describe('NoticeBoard', () => {
  afterEach(() => {
    sinon.restore();
  });

  it('when a supervisor publishes a notice, callers hear it at once from the cache, title and text as one sentence, synthesised ahead', async () => {
    const { b, repo, warmed } = await board();
    const created = await b.publish(WATER, 5);
    const readsBefore = repo.reads;
    const active = b.activeAt(NOW);
    expect(active).to.deep.equal([{ id: created.id, text: '河东区停水通知。12月3日8时至18时,河东区部分区域停水。' }]);
    expect(repo.reads, 'no database read per call').to.equal(readsBefore);
    expect(warmed).to.deep.equal(['河东区停水通知。12月3日8时至18时,河东区部分区域停水。']);
    expect(created).to.include({ createdBy: 5, status: 'active', validFrom: Date.parse('2026-12-03T00:00:00Z') });
  });

  it('when a notice is outside its window, callers do not hear it (before validFrom, at validTo)', async () => {
    const { b } = await board();
    await b.publish({ ...WATER, validFrom: '2026-12-03T10:00:00+08:00' }, 5);
    expect(b.activeAt(NOW)).to.deep.equal([]);
    expect(b.activeAt(NOW + 2 * HOUR)).to.have.length(1);
    expect(b.activeAt(Date.parse('2026-12-03T10:00:00Z'))).to.deep.equal([]);
  });

  it('when a notice is withdrawn, callers stop hearing it at once', async () => {
    const { b } = await board();
    const n = await b.publish(WATER, 5);
    const withdrawn = await b.withdraw(n.id, 5);
    expect(withdrawn.status).to.equal('withdrawn');
    expect(b.activeAt(NOW)).to.deep.equal([]);
    expect(b.inForceNow()).to.deep.equal([]);
  });

  it('when another process publishes, the periodic reload brings it into the cache and says so', async () => {
    const { b, repo, timers } = await board();
    let changes = 0;
    b.observer.on('changed', () => changes++);
    await repo.create({ title: '停电', text: '明日停电。', areas: [], categoryIds: [], validFrom: NOW - HOUR, validTo: NOW + HOUR, createdBy: 1 } satisfies NewNotice, NOW);
    expect(b.activeAt(NOW)).to.deep.equal([]);
    await timers.tickAsync(30_000);
    expect(b.activeAt(NOW + 30_000)).to.have.length(1);
    expect(changes).to.equal(1);
    b.stop();
  });

  it('when the form is bad, the refusal names each field and why', async () => {
    const { b } = await board();
    const refused = async (input: unknown): Promise<ValidationError> => {
      try {
        await b.publish(input, 5);
      } catch (err) {
        if (err instanceof ValidationError) return err;
        throw err;
      }
      throw new Error('accepted');
    };
    expect((await refused({ ...WATER, title: '' })).issues).to.deep.include({ path: 'title', message: 'must not be empty' });
    expect((await refused({ ...WATER, text: 'x'.repeat(301) })).issues).to.deep.include({ path: 'text', message: 'must be at most 300 characters' });
    expect((await refused({ ...WATER, validTo: '2026-12-03T07:00:00+08:00' })).issues).to.deep.include({ path: 'validTo', message: 'must be after validFrom' });
    expect((await refused({ ...WATER, validFrom: '2026-12-01T07:00:00+08:00', validTo: '2026-12-02T07:00:00+08:00' })).issues).to.deep.include({ path: 'validTo', message: 'must be in the future' });
    expect((await refused({ ...WATER, validTo: 'tomorrow' })).issues[0]?.path).to.equal('validTo');
    expect((await refused({ ...WATER, text: '第一行\n第二行' })).issues).to.deep.include({ path: 'text', message: 'must not contain control characters or line breaks' });
    expect((await refused({ ...WATER, owner: 'x' })).issues[0]?.message).to.match(/owner/);
  });

  it('when a withdrawn notice is edited, the edit is refused; a live one changes and is heard changed', async () => {
    const { b } = await board();
    const n = await b.publish(WATER, 5);
    await b.edit(n.id, { text: '已恢复供水时间提前至16时。' }, 5);
    expect(b.activeAt(NOW)[0]?.text).to.equal('河东区停水通知。已恢复供水时间提前至16时。');
    await b.withdraw(n.id, 5);
    try {
      await b.edit(n.id, { text: '再改' }, 5);
      expect.fail('accepted');
    } catch (err) {
      expect(err).to.be.instanceOf(ValidationError);
      expect((err as ValidationError).message).to.match(/withdrawn/);
    }
  });
});

describe('noticeHitsOf', () => {
  it('when the run heard two notices and pressed 1 for the second, it gives one hit per notice on the local day', () => {
    const at = Date.parse('2026-12-02T17:30:00Z'); // 01:30 on the 3rd in Shanghai
    const hits = noticeHitsOf({ callId: 'c1', key: 'k' }, { noticesHeard: '7,9', noticePressed: '9' }, at, 'Asia/Shanghai');
    expect(hits).to.deep.equal([
      { key: 'k#7', noticeId: 7, callId: 'c1', day: '2026-12-03', at, pressed: false },
      { key: 'k#9', noticeId: 9, callId: 'c1', day: '2026-12-03', at, pressed: true },
    ]);
  });

  it('when the variables are missing or not ids, there are no hits (and a pressed id not heard counts nothing)', () => {
    expect(noticeHitsOf({ callId: 'c', key: 'k' }, undefined, NOW, 'Asia/Shanghai')).to.deep.equal([]);
    expect(noticeHitsOf({ callId: 'c', key: 'k' }, { noticesHeard: 'x,-1,0,1e3' }, NOW, 'Asia/Shanghai')).to.deep.equal([]);
    expect(noticeHitsOf({ callId: 'c', key: 'k' }, { noticesHeard: '4', noticePressed: '5' }, NOW, 'Asia/Shanghai').map((h) => h.pressed)).to.deep.equal([false]);
  });

  it('when asked for the local day, it gives YYYY-MM-DD in the zone', () => {
    expect(localDay(Date.parse('2026-12-02T16:00:00Z'), 'Asia/Shanghai')).to.equal('2026-12-03');
  });
});
