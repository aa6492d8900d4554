import { expect } from 'chai';
import sinon from 'sinon';
import { QueryTypes } from 'sequelize';
import { SequelizeCallRecordRepository } from '../../src/db/sequelize-call-record-repository.js';
import type { NewCallRecord } from '../../src/metrics/call-records.js';
import { NotFoundError, ValidationError } from '../../src/shared/app-error.js';
import { openTestDatabase, testDbKind, type TestDatabase } from '../support/test-database.js';

function newCall(callId: string, startedAt: Date, overrides: Partial<NewCallRecord> = {}): NewCallRecord {
  return { callId, direction: 'inbound', from: '13812345678', to: '12345', startedAt, ...overrides };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

describe(`SequelizeCallRecordRepository (${testDbKind()})`, () => {
  let testDb: TestDatabase;
  let repo: SequelizeCallRecordRepository;

  beforeEach(async () => {
    testDb = await openTestDatabase();
    repo = new SequelizeCallRecordRepository(testDb.db.sequelize);
  });

  afterEach(async () => {
    sinon.restore();
    await testDb.drop();
  });

  it('when a call is created, it reads back with empty digits and path, no end and no agent', async () => {
    const startedAt = new Date('2024-05-01T08:00:00.123Z');
    await repo.create(newCall('c1@host', startedAt));
    const got = await repo.get('c1@host');
    expect(got).to.deep.equal({
      callId: 'c1@host',
      direction: 'inbound',
      from: '13812345678',
      to: '12345',
      startedAt,
      answeredAt: null,
      endedAt: null,
      endReason: null,
      hungUpBy: null,
      digits: '',
      ivrPath: '',
      queue: null,
      queuedAt: null,
      agentId: null,
      agentExtension: null,
      agentAnsweredAt: null,
      recordingPath: null,
      recordingExpiredAt: null,
      truncated: false,
      ivrFlow: null,
      ivrOutcome: null,
      ivrSelfServed: false,
      ivrSpoken: null,
    });
  });

  it('when a time is stored, the row holds it in UTC whatever the process time zone', async () => {
    await repo.create(newCall('utc', new Date('2024-05-01T08:00:00.123Z')));
    const rows = await testDb.db.sequelize.query<{ s: string }>("SELECT CAST(started_at AS CHAR) AS s FROM calls WHERE call_id = 'utc'", {
      type: QueryTypes.SELECT,
    });
    // MySQL prints `2024-05-01 08:00:00.123`; SQLite keeps the text Sequelize wrote, `… +00:00`.
    expect(rows[0]?.s).to.match(/^2024-05-01 08:00:00\.123( \+00:00)?$/);
  });

  it('when a call is updated as it progresses, it keeps every field and millisecond precision', async () => {
    const startedAt = new Date('2024-05-01T08:00:00.001Z');
    const answeredAt = new Date('2024-05-01T08:00:00.999Z');
    const endedAt = new Date('2024-05-01T08:03:17.042Z');
    await repo.create(newCall('c2', startedAt, { direction: 'outbound' }));
    await repo.update('c2', { answeredAt });
    await repo.update('c2', { endedAt, endReason: 'hangup', hungUpBy: 'caller', digits: '31234#', ivrPath: 'welcome,main-menu,consult' });
    const got = await repo.get('c2');
    expect(got?.direction).to.equal('outbound');
    expect(got?.answeredAt?.toISOString()).to.equal('2024-05-01T08:00:00.999Z');
    expect(got?.endedAt?.toISOString()).to.equal('2024-05-01T08:03:17.042Z');
    expect(got?.startedAt.getTime()).to.equal(startedAt.getTime());
    expect(got?.endedAt && got.answeredAt ? got.endedAt.getTime() - got.answeredAt.getTime() : -1).to.equal(196_043);
    expect(got).to.include({ endReason: 'hangup', hungUpBy: 'caller', digits: '31234#', ivrPath: 'welcome,main-menu,consult' });
  });

  it('when an agent takes the call from a queue, it keeps the queue, the agent and the recording', async () => {
    await repo.create(newCall('c-agent', new Date('2024-05-01T08:00:00.000Z')));
    const queuedAt = new Date('2024-05-01T08:00:09.250Z');
    const agentAnsweredAt = new Date('2024-05-01T08:00:21.875Z');
    await repo.update('c-agent', { queue: 'general', queuedAt });
    await repo.update('c-agent', { agentId: 7, agentExtension: '8001', agentAnsweredAt, recordingPath: 'data/recordings/2024-05-01/c-agent.wav' });
    const got = await repo.get('c-agent');
    expect(got).to.include({ queue: 'general', agentId: 7, agentExtension: '8001', recordingPath: 'data/recordings/2024-05-01/c-agent.wav' });
    expect(got?.queuedAt?.toISOString()).to.equal('2024-05-01T08:00:09.250Z');
    expect(got?.agentAnsweredAt?.toISOString()).to.equal('2024-05-01T08:00:21.875Z');
  });

  it('when the same patch is written twice, it does not report the call missing', async () => {
    await repo.create(newCall('c3', new Date('2024-05-01T08:00:00.000Z')));
    await repo.update('c3', { digits: '1' });
    await repo.update('c3', { digits: '1' });
    expect((await repo.get('c3'))?.digits).to.equal('1');
  });

  it('when a Call-ID is reused by a second call, both calls have a row and the second call gets its own updates', async () => {
    await repo.create(newCall('dup', new Date('2024-05-01T08:00:00.000Z')));
    await repo.update('dup', { endedAt: new Date('2024-05-01T08:01:00.000Z'), endReason: 'hangup' });
    await repo.create(newCall('dup', new Date('2024-05-02T08:00:00.000Z'), { from: '13900000000' }));
    await repo.update('dup', { answeredAt: new Date('2024-05-02T08:00:01.000Z') });
    const { items } = await repo.list({ limit: 10, offset: 0 });
    expect(items).to.have.length(2);
    const [second, first] = items;
    expect(first).to.include({ callId: 'dup', from: '13812345678', endReason: 'hangup', answeredAt: null });
    expect(second?.callId).to.match(/^dup#[0-9a-f-]{36}$/);
    expect(second).to.include({ from: '13900000000', endReason: null });
    expect(second?.answeredAt?.toISOString()).to.equal('2024-05-02T08:00:01.000Z');
  });

  it('when a Call-ID, From and To are 500 characters long, the call still has a row, cut to the columns and flagged truncated', async () => {
    const callId = `${'c'.repeat(490)}@host.cn`;
    await repo.create(newCall(callId, new Date('2024-05-01T08:00:00.000Z'), { from: '1'.repeat(500), to: '2'.repeat(500) }));
    await repo.update(callId, { answeredAt: new Date('2024-05-01T08:00:01.000Z'), endedAt: new Date('2024-05-01T08:00:09.000Z'), endReason: 'hangup' });
    const { items } = await repo.list({ limit: 10, offset: 0 });
    expect(items).to.have.length(1);
    const got = items[0];
    expect(got?.callId).to.equal(callId.slice(0, 255));
    expect(got?.from).to.equal('1'.repeat(255));
    expect(got?.to).to.equal('2'.repeat(255));
    expect(got).to.include({ truncated: true, endReason: 'hangup' });
    expect(got?.answeredAt?.toISOString()).to.equal('2024-05-01T08:00:01.000Z');
  });

  it('when two 500-character Call-IDs differ only after the column width, both calls have a row', async () => {
    const prefix = 'x'.repeat(300);
    await repo.create(newCall(`${prefix}-one`, new Date('2024-05-01T08:00:00.000Z')));
    await repo.create(newCall(`${prefix}-two`, new Date('2024-05-01T08:00:01.000Z')));
    await repo.update(`${prefix}-two`, { endReason: 'hangup' });
    const { items } = await repo.list({ limit: 10, offset: 0 });
    expect(items.map((c) => c.endReason)).to.deep.equal(['hangup', null]);
  });

  it('when the same create and update are applied twice under one record key (a spool replay), the call has one row with the update', async () => {
    const call = newCall('replayed', new Date('2024-05-01T08:00:00.000Z'));
    for (let i = 0; i < 2; i += 1) {
      await repo.applyCreate('key-1', call, 'node-a');
      await repo.applyUpdate('key-1', 'replayed', { digits: '12' });
    }
    const { items, total } = await repo.list({ limit: 10, offset: 0 });
    expect(total).to.equal(1);
    expect(items[0]).to.include({ callId: 'replayed', digits: '12' });
  });

  it('when a node restarts, it closes as crashed only its own calls left open before the restart', async () => {
    const crash = new Date('2024-05-01T08:10:00.000Z');
    const restart = new Date('2024-05-01T08:12:00.000Z');
    await repo.applyCreate('k1', newCall('open-mine', new Date('2024-05-01T08:05:00.000Z')), 'node-a');
    await repo.applyCreate('k2', newCall('ended-mine', new Date('2024-05-01T08:05:00.000Z')), 'node-a');
    await repo.applyUpdate('k2', 'ended-mine', { endedAt: new Date('2024-05-01T08:06:00.000Z'), endReason: 'hangup', hungUpBy: 'caller' });
    await repo.applyCreate('k3', newCall('open-other-node', new Date('2024-05-01T08:05:00.000Z')), 'node-b');
    await repo.applyCreate('k4', newCall('after-last-heartbeat', new Date('2024-05-01T08:10:05.000Z')), 'node-a');
    await repo.applyCreate('k5', newCall('this-run', new Date('2024-05-01T08:12:01.000Z')), 'node-a');
    expect(await repo.closeCrashed('node-a', restart, crash)).to.equal(2);
    expect(await repo.closeCrashed('node-a', restart, crash)).to.equal(0);
    const byId = new Map((await repo.list({ limit: 10, offset: 0 })).items.map((c) => [c.callId, c]));
    expect(byId.get('open-mine')).to.include({ endReason: 'crashed', hungUpBy: 'system' });
    expect(byId.get('open-mine')?.endedAt?.toISOString()).to.equal(crash.toISOString());
    expect(byId.get('after-last-heartbeat')?.endedAt?.toISOString()).to.equal('2024-05-01T08:10:05.000Z');
    expect(byId.get('ended-mine')).to.include({ endReason: 'hangup', hungUpBy: 'caller' });
    expect(byId.get('open-other-node')).to.include({ endReason: null, endedAt: null });
    expect(byId.get('this-run')).to.include({ endReason: null, endedAt: null });
  });

  it('when call ids differ only in letter case, it stores both (RFC 3261 Call-IDs are case-sensitive)', async () => {
    await repo.create(newCall('abc@host', new Date('2024-05-01T08:00:00.000Z')));
    await repo.create(newCall('ABC@host', new Date('2024-05-01T08:00:01.000Z')));
    expect((await repo.list({ limit: 10, offset: 0 })).total).to.equal(2);
  });

  it('when a missing call is updated, it throws NotFoundError', async () => {
    const err = await rejection(repo.update('nope', { endReason: 'hangup' }));
    expect(err).to.be.instanceOf(NotFoundError).with.property('code', 'NOT_FOUND');
  });

  it('when a missing call is read, it returns undefined', async () => {
    expect(await repo.get('nope')).to.equal(undefined);
  });

  it('when calls are listed, it pages newest first with the total, milliseconds deciding the order', async () => {
    const base = Date.parse('2024-05-01T08:00:00.000Z');
    // Started one millisecond apart, created out of order.
    for (const i of [3, 0, 4, 1, 2]) await repo.create(newCall(`call-${i}`, new Date(base + i)));
    const first = await repo.list({ limit: 2, offset: 0 });
    const second = await repo.list({ limit: 2, offset: 2 });
    const third = await repo.list({ limit: 2, offset: 4 });
    expect(first.total).to.equal(5);
    expect(first.items.map((c) => c.callId)).to.deep.equal(['call-4', 'call-3']);
    expect(second.items.map((c) => c.callId)).to.deep.equal(['call-2', 'call-1']);
    expect(third.items.map((c) => c.callId)).to.deep.equal(['call-0']);
    expect(third.total).to.equal(5);
    expect(first.items[0]?.startedAt).to.be.instanceOf(Date);
  });

  it('when two calls start in the same millisecond, it orders them by call id', async () => {
    const at = new Date('2024-05-01T08:00:00.500Z');
    await repo.create(newCall('b', at));
    await repo.create(newCall('a', at));
    expect((await repo.list({ limit: 10, offset: 0 })).items.map((c) => c.callId)).to.deep.equal(['a', 'b']);
  });

  it('when the list is empty, it returns no items and total 0', async () => {
    expect(await repo.list({ limit: 50, offset: 0 })).to.deep.equal({ items: [], total: 0 });
  });

  it('when values hold Chinese characters and long digit strings, they round trip unchanged', async () => {
    const digits = '1234567890'.repeat(25) + '*#'; // 252 keys
    const ivrPath = ['欢迎', '主菜单', '投诉举报', '转人工'].join(',') + ',' + 'x'.repeat(900);
    await repo.create(newCall('中文-呼叫@例子.中国', new Date('2024-05-01T08:00:00.000Z'), { from: '"张三" 13812345678', to: '12345转1' }));
    await repo.update('中文-呼叫@例子.中国', { digits, ivrPath, endReason: '用户挂机' });
    const got = await repo.get('中文-呼叫@例子.中国');
    expect(got).to.include({ from: '"张三" 13812345678', to: '12345转1', digits, ivrPath, endReason: '用户挂机' });
  });

  it('when an update is longer than its column, it stores it cut to the column and flags the call truncated on every dialect', async () => {
    await repo.create(newCall('long', new Date('2024-05-01T08:00:00.000Z')));
    await repo.update('long', { digits: '1'.repeat(256) });
    expect(await repo.get('long')).to.include({ digits: '1'.repeat(255), truncated: true });
  });

  it('when a date is not a valid date, it refuses it naming the field', async () => {
    const err = await rejection(repo.create(newCall('bad-date', new Date('nope'))));
    expect(err).to.be.instanceOf(ValidationError);
    expect((err as ValidationError).issues).to.deep.equal([{ path: 'startedAt', message: 'not a valid date' }]);
  });
});
