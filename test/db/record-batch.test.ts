import { expect } from 'chai';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QueryTypes } from 'sequelize';
import sinon from 'sinon';
import { AgentState } from '../../src/acd/agent.js';
import { applyRecordOp, applyRecordOps, describeRecordOp, parseRecordOp, type RecordOp, type RecordStores } from '../../src/db/record-ops.js';
import { RecordSpool } from '../../src/db/record-spool.js';
import { SequelizeAcdRecordRepository } from '../../src/db/sequelize-acd-record-repository.js';
import { SequelizeCallRecordRepository } from '../../src/db/sequelize-call-record-repository.js';
import { ticketTransaction } from '../../src/db/ticket-transaction.js';
import { silentLogger } from '../../src/logging/logger.js';
import { systemClock } from '../../src/shared/clock.js';
import { openTestDatabase, testDbKind, type TestDatabase } from '../support/test-database.js';

const t0 = Date.parse('2024-05-01T08:00:00.123Z');
const at = (ms: number): Date => new Date(t0 + ms);

/**
 * What a few calls write, in spool order, every record key and Call-ID starting with `prefix`: two
 * calls interleaved through IVR, queue and agent; a Call-ID reused by a second call; over-long and
 * Chinese values; an update cut to its column and then overwritten (the call stays flagged).
 */
function callOps(prefix: string): RecordOp[] {
  const create = (n: number, callId: string, startMs: number, from = '13812345678'): RecordOp => ({
    kind: 'call-create',
    key: `${prefix}k${n}`,
    nodeId: 'node-a',
    record: { callId, direction: 'inbound', from, to: '12345', startedAt: at(startMs) },
  });
  const update = (n: number, callId: string, patch: Extract<RecordOp, { kind: 'call-update' }>['patch']): RecordOp => ({ kind: 'call-update', key: `${prefix}k${n}`, callId, patch });
  const queued = (n: number, callId: string, event: 'entered' | 'answered', ms: number): RecordOp => ({
    kind: 'queue-event',
    key: `${prefix}q${n}`,
    event: { callId, queue: 'general', event, agentId: event === 'answered' ? '7' : null, extension: event === 'answered' ? '8001' : null, waitMs: event === 'answered' ? 4_000 : null, talkMs: null, at: at(ms) },
  });
  const a = `${prefix}call-a@10.0.0.1`;
  const b = `${prefix}呼叫-b@例子.中国`;
  const long = `${prefix}${'x'.repeat(300)}`;
  return [
    create(1, a, 0),
    queued(1, a, 'entered', 3_000),
    create(2, b, 10, '"张三" 13900000000'),
    update(1, a, { answeredAt: at(200) }),
    update(2, b, { answeredAt: at(250), ivrPath: 'y'.repeat(1200) }),
    create(3, long, 20, '1'.repeat(300)),
    update(1, a, { queue: 'general', queuedAt: at(3_000), agentId: 7, agentExtension: '8001', agentAnsweredAt: at(7_000) }),
    queued(2, a, 'answered', 7_000),
    { kind: 'agent-event', key: `${prefix}s1`, event: { agentId: '7', extension: '8001', fromState: AgentState.Ready, toState: AgentState.Busy, reason: '午休', at: at(7_000) } },
    update(2, b, { ivrPath: '欢迎,主菜单', endedAt: at(60_000), endReason: '用户挂机', hungUpBy: 'caller', digits: '31#' }),
    update(1, a, { endedAt: at(90_000), endReason: 'hangup', hungUpBy: 'callee', recordingPath: 'data/recordings/a.wav' }),
    create(4, a, 95_000, '13700000000'),
    update(4, a, { answeredAt: at(95_500) }),
    update(3, long, { endedAt: at(21_000), endReason: 'hangup' }),
  ];
}

describe(`record batches: one transaction, the same rows as one write at a time (${testDbKind()})`, function () {
  this.timeout(60_000);
  let testDb: TestDatabase;
  let stores: RecordStores;
  let dir: string;
  let spool: RecordSpool<RecordOp> | undefined;

  beforeEach(async () => {
    testDb = await openTestDatabase();
    const sequelize = testDb.db.sequelize;
    stores = { calls: new SequelizeCallRecordRepository(sequelize, 'node-a'), acd: new SequelizeAcdRecordRepository(sequelize), transaction: (fn) => ticketTransaction(sequelize, fn) };
    dir = mkdtempSync(join(tmpdir(), 'hotline-batch-'));
  });

  afterEach(async () => {
    sinon.restore();
    await spool?.close();
    spool = undefined;
    await testDb.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Every row of the three tables whose keys start with `prefix`, the prefix removed, without ids and write times. */
  async function rowsOf(prefix: string): Promise<Record<string, unknown>[]> {
    const rows: Record<string, unknown>[] = [];
    for (const table of ['calls', 'queue_events', 'agent_state_events']) {
      const found = await testDb.db.sequelize.query<Record<string, unknown>>(`SELECT * FROM ${table} WHERE record_key LIKE '${prefix}%' ORDER BY record_key`, { type: QueryTypes.SELECT });
      for (const row of found) {
        const { id: _id, created_at: _created, updated_at: _updated, ...rest } = row;
        const unprefixed: unknown = JSON.parse(JSON.stringify(rest).replaceAll(prefix, ''));
        rows.push({ table, unprefixed });
      }
    }
    return rows;
  }

  async function count(table: string): Promise<number> {
    const [row] = await testDb.db.sequelize.query<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`, { type: QueryTypes.SELECT });
    return Number(row?.n);
  }

  async function openSpool(): Promise<RecordSpool<RecordOp>> {
    spool = await RecordSpool.open<RecordOp>({
      file: join(dir, 'spool', 'records.jsonl'),
      maxBytes: 1_048_576,
      apply: (op) => applyRecordOp(op, stores),
      applyBatch: (ops) => applyRecordOps(ops, stores),
      parse: parseRecordOp,
      describe: describeRecordOp,
      databaseUp: () => Promise.resolve(true),
      clock: systemClock,
      logger: silentLogger(),
      retryMinMs: 20,
      retryMaxMs: 100,
    });
    return spool;
  }

  it('when a batch is applied, every row (text of times, milliseconds, cut values, flags, reused Call-IDs) is what one write after another gives', async () => {
    for (const op of callOps('one-')) await applyRecordOp(op, stores);
    await applyRecordOps(callOps('bat-'), stores);
    const one = await rowsOf('one-');
    expect(one.filter((r) => r.table === 'calls')).to.have.length(4);
    expect(one.filter((r) => r.table === 'queue_events')).to.have.length(2);
    expect(await rowsOf('bat-')).to.deep.equal(one);
    const calls = await stores.calls.list({ limit: 20, offset: 0 });
    const b = calls.items.find((c) => c.callId === 'bat-呼叫-b@例子.中国');
    // Cut in its first update, overwritten by its second: still flagged, as one write at a time leaves it.
    expect(b).to.include({ ivrPath: '欢迎,主菜单', truncated: true, endReason: '用户挂机', digits: '31#' });
    expect(b?.answeredAt?.toISOString()).to.equal('2024-05-01T08:00:00.373Z');
    expect(calls.items.filter((c) => c.callId.startsWith('bat-call-a@10.0.0.1'))).to.have.length(2);
  });

  it('when a Call-ID is already stored by an earlier batch, the batch stores its call under the suffixed Call-ID and updates that row', async () => {
    await applyRecordOps([{ kind: 'call-create', key: 'k-old', nodeId: 'node-a', record: { callId: 'dup', direction: 'inbound', from: '1', to: '2', startedAt: at(0) } }], stores);
    await applyRecordOps(
      [
        { kind: 'call-create', key: 'k-new', nodeId: 'node-a', record: { callId: 'dup', direction: 'inbound', from: '3', to: '4', startedAt: at(1_000) } },
        { kind: 'call-update', key: 'k-new', callId: 'dup', patch: { endReason: 'hangup' } },
      ],
      stores,
    );
    const { items } = await stores.calls.list({ limit: 10, offset: 0 });
    expect(items.map((c) => [c.callId, c.from, c.endReason])).to.deep.equal([
      ['dup#k-new', '3', 'hangup'],
      ['dup', '1', null],
    ]);
  });

  it('when the same batch is applied again (a replay after a crash), each op still gives one row and the updates hold', async () => {
    await applyRecordOps(callOps('rep-'), stores);
    const first = await rowsOf('rep-');
    await applyRecordOps(callOps('rep-'), stores);
    expect(await rowsOf('rep-')).to.deep.equal(first);
    expect(await count('calls')).to.equal(4);
    expect(await count('queue_events')).to.equal(2);
    expect(await count('agent_state_events')).to.equal(1);
  });

  it('when the process died with a batch half written (rolled back) after an earlier batch committed but was still in the spool, the replay gives exactly one row per op', async () => {
    const ops = [...callOps('aaa-'), ...callOps('bbb-'), ...callOps('ccc-')];
    // Committed before the crash, but not yet removed from the spool file.
    await applyRecordOps(ops.slice(0, 14), stores);
    // Half written when the process died: the database rolls back the open transaction.
    const killed = await stores
      .transaction(async (transaction) => {
        await stores.calls.applyCreates(
          ops.slice(14, 28).flatMap((op) => (op.kind === 'call-create' ? [{ key: op.key, record: op.record, nodeId: op.nodeId }] : [])),
          transaction,
        );
        throw new Error('killed');
      })
      .catch((err: unknown) => err);
    expect(killed).to.have.property('message', 'killed');
    expect(await count('calls')).to.equal(4);
    mkdirSync(join(dir, 'spool'), { recursive: true, mode: 0o700 });
    writeFileSync(join(dir, 'spool', 'records.jsonl'), ops.map((op) => `${JSON.stringify(op)}\n`).join(''), { mode: 0o600 });

    const replay = await openSpool();
    expect(replay.backlog).to.equal(ops.length);
    await new Promise<void>((resolve, reject) => {
      const deadline = Date.now() + 20_000;
      const check = (): void => {
        if (replay.backlog === 0) resolve();
        else if (Date.now() > deadline) reject(new Error('the replay did not finish'));
        else setTimeout(check, 20);
      };
      check();
    });
    expect(await count('calls')).to.equal(12);
    expect(await count('queue_events')).to.equal(6);
    expect(await count('agent_state_events')).to.equal(3);
    for (const op of callOps('one-')) await applyRecordOp(op, stores);
    const expected = await rowsOf('one-');
    for (const prefix of ['aaa-', 'bbb-', 'ccc-']) expect(await rowsOf(prefix)).to.deep.equal(expected);
    expect(existsSync(join(dir, 'spool', 'records.jsonl.dead.jsonl'))).to.equal(false);
  });

  it('when a batch holds an update of a call that was never stored, the spool finds it one op at a time: it is dead-lettered and the rest of the batch is stored', async () => {
    const s = await openSpool();
    const ops: RecordOp[] = [...callOps('ppp-').slice(0, 6), { kind: 'call-update', key: 'no-such-key', callId: 'ghost', patch: { endReason: 'hangup' } }, ...callOps('ppp-').slice(6)];
    await Promise.all(ops.map((op) => s.submit(op)));
    const deadFile = join(dir, 'spool', 'records.jsonl.dead.jsonl');
    const deadline = Date.now() + 20_000;
    while ((s.backlog > 0 || !existsSync(deadFile)) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(s.backlog).to.equal(0);
    const dead = readFileSync(deadFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { op: { callId: string }; error: string });
    expect(dead.map((d) => d.op.callId)).to.deep.equal(['ghost']);
    expect(dead[0]?.error).to.match(/not found/);
    for (const op of callOps('one-')) await applyRecordOp(op, stores);
    expect(await rowsOf('ppp-')).to.deep.equal(await rowsOf('one-'));
  });
});
