import { expect } from 'chai';
import sinon from 'sinon';
import { QueryTypes, type QueryInterface } from 'sequelize';
import { SequelizeStorage, Umzug } from 'umzug';
import type { QueueEvent } from '../../src/acd/acd-record-repository.js';
import { Acd } from '../../src/acd/acd.js';
import { AgentState } from '../../src/acd/agent.js';
import { parseQueues } from '../../src/acd/parse-queues.js';
import { queueMetrics } from '../../src/acd/queue-metrics.js';
import { silentLogger } from '../../src/logging/logger.js';
import type { Clock, Timer } from '../../src/shared/clock.js';
import { MIGRATIONS_TABLE } from '../../src/db/database.js';
import { migrationList } from '../../src/db/migrations/migration-list.js';
import { SequelizeAcdRecordRepository } from '../../src/db/sequelize-acd-record-repository.js';
import { NotFoundError, ValidationError } from '../../src/shared/app-error.js';
import { openTestDatabase, testDbKind, type TestDatabase } from '../support/test-database.js';

const ACD_MIGRATION = '0003-create-acd-records';

/** A migrator over the project's migrations, to revert and re-apply 0003. */
function umzugFor(testDb: TestDatabase): Umzug<QueryInterface> {
  return new Umzug<QueryInterface>({
    migrations: [...migrationList],
    context: testDb.db.sequelize.getQueryInterface(),
    storage: new SequelizeStorage({ sequelize: testDb.db.sequelize, tableName: MIGRATIONS_TABLE }),
    logger: undefined,
  });
}

class ManualClock implements Clock {
  private readonly pending = new Map<number, { at: number; fn: () => void }>();
  private nextId = 1;

  constructor(private current: number) {}

  now(): number {
    return this.current;
  }

  setTimeout(fn: () => void, ms: number): Timer {
    const id = this.nextId++;
    this.pending.set(id, { at: this.current + ms, fn });
    return id as unknown as Timer;
  }

  clearTimeout(timer: Timer): void {
    this.pending.delete(timer as unknown as number);
  }

  /** Runs due timers in time order, then sets the time to now + ms. */
  advance(ms: number): void {
    const end = this.current + ms;
    for (;;) {
      const due = [...this.pending.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at || a[0] - b[0])[0];
      if (due === undefined) break;
      this.pending.delete(due[0]);
      this.current = due[1].at;
      due[1].fn();
    }
    this.current = end;
  }
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

function queueEvent(callId: string, at: string, overrides: Partial<QueueEvent> = {}): QueueEvent {
  return { callId, queue: 'general', event: 'entered', agentId: null, extension: null, waitMs: 0, talkMs: null, at: new Date(at), ...overrides };
}

describe(`SequelizeAcdRecordRepository (${testDbKind()})`, () => {
  let testDb: TestDatabase;
  let repo: SequelizeAcdRecordRepository;

  beforeEach(async () => {
    testDb = await openTestDatabase();
    repo = new SequelizeAcdRecordRepository(testDb.db.sequelize);
  });

  afterEach(async () => {
    sinon.restore();
    await testDb.drop();
  });

  it('when queue events are stored, they list back in time order with every field and millisecond', async () => {
    await repo.addQueueEvent(queueEvent('c1', '2024-05-01T08:00:10.250Z', { event: 'answered', agentId: '1001', extension: '8001', waitMs: 10_250 }));
    await repo.addQueueEvent(queueEvent('c1', '2024-05-01T08:00:00.001Z'));
    await repo.addQueueEvent(queueEvent('c1', '2024-05-01T08:02:00.000Z', { event: 'ended', agentId: '1001', extension: '8001', waitMs: null, talkMs: 109_750 }));
    const got = await repo.listQueueEvents({ from: new Date('2024-05-01T08:00:00.000Z'), to: new Date('2024-05-01T09:00:00.000Z') });
    expect(got).to.deep.equal([
      queueEvent('c1', '2024-05-01T08:00:00.001Z'),
      queueEvent('c1', '2024-05-01T08:00:10.250Z', { event: 'answered', agentId: '1001', extension: '8001', waitMs: 10_250 }),
      queueEvent('c1', '2024-05-01T08:02:00.000Z', { event: 'ended', agentId: '1001', extension: '8001', waitMs: null, talkMs: 109_750 }),
    ]);
  });

  it('when a period and a queue are given, it lists only events at or after from, before to, in that queue', async () => {
    await repo.addQueueEvent(queueEvent('before', '2024-05-01T07:59:59.999Z'));
    await repo.addQueueEvent(queueEvent('first', '2024-05-01T08:00:00.000Z'));
    await repo.addQueueEvent(queueEvent('other-queue', '2024-05-01T08:10:00.000Z', { queue: 'complaint' }));
    await repo.addQueueEvent(queueEvent('at-end', '2024-05-01T09:00:00.000Z'));
    const period = { from: new Date('2024-05-01T08:00:00.000Z'), to: new Date('2024-05-01T09:00:00.000Z') };
    expect((await repo.listQueueEvents(period)).map((e) => e.callId)).to.deep.equal(['first', 'other-queue']);
    expect((await repo.listQueueEvents(period, 'general')).map((e) => e.callId)).to.deep.equal(['first']);
  });

  it('when a time is stored, the row holds it in UTC', async () => {
    await repo.addQueueEvent(queueEvent('utc', '2024-05-01T08:00:00.123Z'));
    const rows = await testDb.db.sequelize.query<{ s: string }>("SELECT CAST(at AS CHAR) AS s FROM queue_events WHERE call_id = 'utc'", { type: QueryTypes.SELECT });
    expect(rows[0]?.s).to.match(/^2024-05-01 08:00:00\.123( \+00:00)?$/);
  });

  it('when agent state changes are stored, they list back per agent with Chinese reasons intact', async () => {
    const at = (s: number): Date => new Date(Date.parse('2024-05-01T08:00:00.000Z') + s);
    await repo.addAgentStateEvent({ agentId: '1001', extension: '8001', fromState: AgentState.LoggedOut, toState: AgentState.Ready, reason: null, at: at(0) });
    await repo.addAgentStateEvent({ agentId: '1002', extension: '8002', fromState: AgentState.LoggedOut, toState: AgentState.Ready, reason: null, at: at(1) });
    await repo.addAgentStateEvent({ agentId: '1001', extension: '8001', fromState: AgentState.Ready, toState: AgentState.NotReady, reason: '小休', at: at(2) });
    const got = await repo.listAgentStateEvents({ from: at(0), to: at(10) }, '1001');
    expect(got).to.deep.equal([
      { agentId: '1001', extension: '8001', fromState: 'logged-out', toState: 'ready', reason: null, at: at(0) },
      { agentId: '1001', extension: '8001', fromState: 'ready', toState: 'not-ready', reason: '小休', at: at(2) },
    ]);
    expect(await repo.listAgentStateEvents({ from: at(0), to: at(10) })).to.have.length(3);
  });

  it('when callback requests are created, open ones list oldest first and a status change takes one off the list', async () => {
    const later = await repo.createCallbackRequest({ callId: 'c2', queue: 'general', callerNumber: '13900000000', requestedAt: new Date('2024-05-01T08:05:00.000Z') });
    const first = await repo.createCallbackRequest({ callId: 'c1', queue: 'general', callerNumber: '13812345678', requestedAt: new Date('2024-05-01T08:01:00.000Z') });
    expect(first).to.deep.equal({ id: first.id, callId: 'c1', queue: 'general', callerNumber: '13812345678', requestedAt: new Date('2024-05-01T08:01:00.000Z'), status: 'open', handledBy: null });
    expect((await repo.listOpenCallbackRequests()).map((r) => r.callId)).to.deep.equal(['c1', 'c2']);
    await repo.setCallbackStatus(first.id, 'dialing', '1001');
    await repo.setCallbackStatus(first.id, 'dialing', '1001');
    expect((await repo.listOpenCallbackRequests()).map((r) => r.id)).to.deep.equal([later.id]);
    expect(await repo.listOpenCallbackRequests(0)).to.deep.equal([]);
  });

  it('when a caller with +86 or 0086 asks to be called back, the request stores the national number', async () => {
    const plus = await repo.createCallbackRequest({ callId: 'c1', queue: 'general', callerNumber: '+8613812345678', requestedAt: new Date('2024-05-01T08:01:00.000Z') });
    const zeros = await repo.createCallbackRequest({ callId: 'c2', queue: 'general', callerNumber: '0086 10 8888 1234', requestedAt: new Date('2024-05-01T08:02:00.000Z') });
    expect([plus.callerNumber, zeros.callerNumber]).to.deep.equal(['13812345678', '01088881234']);
    expect((await repo.listOpenCallbackRequests()).map((r) => r.callerNumber)).to.deep.equal(['13812345678', '01088881234']);
  });

  it('when a missing callback request is updated, it throws NotFoundError', async () => {
    expect(await rejection(repo.setCallbackStatus(999, 'done'))).to.be.instanceOf(NotFoundError);
  });

  it('when a value is longer than its column or a wait is negative, it refuses it naming the field on every dialect', async () => {
    const err = await rejection(repo.addQueueEvent(queueEvent('c1', '2024-05-01T08:00:00.000Z', { agentId: 'x'.repeat(65), waitMs: -1 })));
    expect(err).to.be.instanceOf(ValidationError);
    expect((err as ValidationError).issues).to.deep.equal([
      { path: 'agentId', message: 'longer than 64 characters' },
      { path: 'waitMs', message: 'must be whole milliseconds 0-2147483647' },
    ]);
  });

  it('when the migration is reverted, its three tables are gone and it can be applied again', async () => {
    const umzug = umzugFor(testDb);
    await umzug.down({ to: ACD_MIGRATION });
    const qi = testDb.db.sequelize.getQueryInterface();
    const tables = (await qi.showAllTables()).map(String);
    expect(tables).to.not.include.members(['queue_events']);
    expect(tables).to.not.include('agent_state_events');
    expect(tables).to.not.include('callback_requests');
    await umzug.up();
    await repo.addQueueEvent(queueEvent('again', '2024-05-01T08:00:00.000Z'));
  });

  it('when the ACD handles calls, the metrics computed from the stored rows are what happened', async () => {
    // A hand-driven clock: faking the global timers would also stop the database driver's own.
    const clock = new ManualClock(Date.parse('2024-05-01T08:00:00.000Z'));
    const timers = { tick: (ms: number) => { clock.advance(ms); } };
    const queues = parseQueues('queues:\n  general: { displayName: 综合咨询, skills: [general], wrapUpS: 10 }\n', 'q.yaml');
    const acd = new Acd({ clock, logger: silentLogger(), records: repo, queues });
    acd.login({ agentId: '1001', extension: '8001', skills: ['general'] });
    acd.enqueue({ callId: 'fast', queue: 'general', callerNumber: '13812345678' });
    acd.enqueue({ callId: 'slow', queue: 'general', callerNumber: '13900000000' });
    acd.enqueue({ callId: 'gone', queue: 'general', callerNumber: '13700000000' });
    timers.tick(3_000);
    acd.offerAnswered('fast', '1001');
    timers.tick(60_000);
    acd.callEnded('fast');
    acd.leave('gone', 'abandoned');
    timers.tick(10_000); // wrap-up ends; 'slow' is offered at 73 s
    acd.offerAnswered('slow', '1001');
    acd.close();
    await acd.flush();
    const events = await repo.listQueueEvents({ from: new Date('2024-05-01T00:00:00.000Z'), to: new Date('2024-05-02T00:00:00.000Z') });
    expect(queueMetrics(events)).to.deep.include({ offered: 3, answered: 2, answeredWithinSl: 1, abandoned: 1, asaS: (3 + 73) / 2, ahtS: 70 });
    expect((await repo.listAgentStateEvents({ from: new Date('2024-05-01T00:00:00.000Z'), to: new Date('2024-05-02T00:00:00.000Z') })).map((e) => e.toState)).to.deep.equal([
      'ready', 'offered', 'busy', 'wrap-up', 'ready', 'offered', 'busy',
    ]);
  });
});
