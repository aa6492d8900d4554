import { expect } from 'chai';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { DatabaseError, ForeignKeyConstraintError, Sequelize, UniqueConstraintError } from 'sequelize';
import { toAppError } from '../../src/shared/app-error.js';
import sinon from 'sinon';
import { createHttpServer, type WebServer } from '../../src/api/http-server.js';
import { registerRecordSpoolGauges } from '../../src/api/record-spool-gauges.js';
import { DurableAcdRecords } from '../../src/db/durable-acd-records.js';
import { DurableCallRecords } from '../../src/db/durable-call-records.js';
import { pingWithin } from '../../src/db/durable-records.js';
import { applyRecordOp, applyRecordOps, describeRecordOp, parseRecordOp, type RecordOp, type RecordStores } from '../../src/db/record-ops.js';
import { RecordSpool } from '../../src/db/record-spool.js';
import { SequelizeAcdRecordRepository } from '../../src/db/sequelize-acd-record-repository.js';
import { SequelizeCallRecordRepository } from '../../src/db/sequelize-call-record-repository.js';
import { ticketTransaction } from '../../src/db/ticket-transaction.js';
import { AgentState } from '../../src/acd/agent.js';
import { silentLogger } from '../../src/logging/logger.js';
import { systemClock } from '../../src/shared/clock.js';
import { freePort } from '../support/ports.js';
import { openTestDatabase, testDbKind, type TestDatabase } from '../support/test-database.js';

/** A database nobody answers at: MySQL on a closed local port, or SQLite in a folder that does not exist. */
async function unreachableSequelize(): Promise<Sequelize> {
  if (testDbKind() === 'mariadb') {
    const port = await freePort('tcp');
    return new Sequelize({ dialect: 'mysql', host: '127.0.0.1', port, username: 'root', database: 'none', logging: false, dialectOptions: { connectTimeout: 1000 }, pool: { max: 1, acquire: 2000 } });
  }
  return new Sequelize({ dialect: 'sqlite', storage: join(tmpdir(), 'no-such-folder-hotline', 'x', 'db.sqlite'), logging: false });
}

function storesOn(sequelize: Sequelize): RecordStores {
  return { calls: new SequelizeCallRecordRepository(sequelize, 'node-a'), acd: new SequelizeAcdRecordRepository(sequelize), transaction: (fn) => ticketTransaction(sequelize, fn) };
}

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe(`record spool: a database outage loses no record (${testDbKind()})`, function () {
  this.timeout(60_000);
  let testDb: TestDatabase;
  let down: Sequelize;
  let dir: string;
  let up: RecordStores;
  let current: { stores: RecordStores; up: boolean };
  const spools: RecordSpool<RecordOp>[] = [];
  let web: WebServer | undefined;

  const openSpool = async (): Promise<RecordSpool<RecordOp>> => {
    const spool = await RecordSpool.open<RecordOp>({
      file: join(dir, 'spool', 'records.jsonl'),
      maxBytes: 1_048_576,
      apply: (op) => applyRecordOp(op, current.stores),
      applyBatch: (ops) => applyRecordOps(ops, current.stores),
      parse: parseRecordOp,
      describe: describeRecordOp,
      databaseUp: () => Promise.resolve(current.up),
      clock: systemClock,
      logger: silentLogger(),
      retryMinMs: 20,
      retryMaxMs: 100,
    });
    spools.push(spool);
    return spool;
  };

  beforeEach(async () => {
    testDb = await openTestDatabase();
    down = await unreachableSequelize();
    dir = mkdtempSync(join(tmpdir(), 'hotline-spool-'));
    up = storesOn(testDb.db.sequelize);
    current = { stores: storesOn(down), up: false };
  });

  afterEach(async () => {
    sinon.restore();
    await web?.close();
    web = undefined;
    for (const spool of spools.splice(0)) await spool.close();
    await down.close().catch(() => undefined);
    await testDb.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function answeredCalls(records: DurableCallRecords, n: number): Promise<void> {
    for (let i = 0; i < n; i += 1) {
      const start = Date.parse('2024-05-01T08:00:00.000Z') + i * 1000;
      await records.create({ callId: `call-${i}`, direction: 'inbound', from: '13812345678', to: '12345', startedAt: new Date(start) });
      await records.update(`call-${i}`, { answeredAt: new Date(start + 500) });
      await records.update(`call-${i}`, { endedAt: new Date(start + 60_000), endReason: 'hangup', hungUpBy: 'caller', digits: '1' });
    }
  }

  it('when the database is unreachable, 16 answered calls wait in the spool, /healthz and /metrics show the backlog, and all 16 are stored once it answers', async () => {
    const spool = await openSpool();
    const registry = new Registry();
    registerRecordSpoolGauges(registry, spool);
    web = await createHttpServer({
      callRecords: new SequelizeCallRecordRepository(testDb.db.sequelize),
      health: () => Promise.resolve({ sip: true, database: current.up, recordBacklog: spool.backlog }),
      metrics: registry,
      logger: silentLogger(),
    }).startWebServer({ port: 0, host: '127.0.0.1' });
    const base = `http://127.0.0.1:${web.port}`;
    const records = new DurableCallRecords(up.calls, spool, 'node-a');
    const acd = new DurableAcdRecords(up.acd, spool);

    await answeredCalls(records, 16);
    await acd.addQueueEvent({ callId: 'call-0', queue: 'general', event: 'entered', agentId: null, extension: null, waitMs: null, talkMs: null, at: new Date('2024-05-01T08:00:01.000Z') });
    await acd.addAgentStateEvent({ agentId: '7', extension: '8001', fromState: AgentState.Ready, toState: AgentState.NotReady, reason: 'lunch', at: new Date('2024-05-01T08:00:02.000Z') });

    expect(spool.backlog).to.equal(50);
    expect((await up.calls.list({ limit: 50, offset: 0 })).total).to.equal(0);
    const during = await fetch(`${base}/healthz`);
    expect(during.status).to.equal(503);
    expect(await during.json()).to.deep.equal({ status: 'unavailable', sip: true, database: false, recordBacklog: 50 });
    expect(await (await fetch(`${base}/metrics`)).text()).to.match(/^hotline_record_backlog 50$/m);
    const file = join(dir, 'spool', 'records.jsonl');
    expect(statSync(file).mode & 0o777).to.equal(0o600);
    expect(statSync(join(dir, 'spool')).mode & 0o777).to.equal(0o700);

    current = { stores: up, up: true };
    await until('the backlog is written', () => spool.backlog === 0);
    const { items, total } = await up.calls.list({ limit: 50, offset: 0 });
    expect(total).to.equal(16);
    expect(items.every((c) => c.endReason === 'hangup' && c.answeredAt !== null && c.digits === '1')).to.equal(true);
    const period = { from: new Date('2024-05-01T00:00:00.000Z'), to: new Date('2024-05-02T00:00:00.000Z') };
    expect(await up.acd.listQueueEvents(period)).to.have.length(1);
    expect(await up.acd.listAgentStateEvents(period)).to.have.length(1);
    const after = await fetch(`${base}/healthz`);
    expect(after.status).to.equal(200);
    expect(await after.json()).to.deep.equal({ status: 'ok', sip: true, database: true, recordBacklog: 0 });
    expect(await (await fetch(`${base}/metrics`)).text()).to.match(/^hotline_record_backlog 0$/m);
    await until('the spool file is emptied', () => readFileSync(file, 'utf8') === '');
  });

  it('when the process stops while the database is unreachable, the next start replays the spool and stores every call once', async () => {
    const first = await openSpool();
    await answeredCalls(new DurableCallRecords(up.calls, first, 'node-a'), 3);
    await first.close();

    current = { stores: up, up: true };
    const second = await openSpool();
    expect(second.backlog).to.equal(9);
    await until('the replayed backlog is written', () => second.backlog === 0);
    await second.close();
    // A third start with the same file (as after a crash right after the writes) stores nothing twice.
    const third = await openSpool();
    await until('nothing is left', () => third.backlog === 0);
    const { items, total } = await up.calls.list({ limit: 50, offset: 0 });
    expect(total).to.equal(3);
    expect(items.map((c) => c.endReason)).to.deep.equal(['hangup', 'hangup', 'hangup']);
  });

  it('when a spooled write was applied but the process died before forgetting it, replaying it again adds no second row', async () => {
    current = { stores: up, up: true };
    const op: RecordOp = { kind: 'call-create', key: 'k-1', nodeId: 'node-a', record: { callId: 'again', direction: 'inbound', from: '1', to: '2', startedAt: new Date('2024-05-01T08:00:00.000Z') } };
    const event: RecordOp = { kind: 'queue-event', key: 'k-2', event: { callId: 'again', queue: 'general', event: 'entered', agentId: null, extension: null, waitMs: null, talkMs: null, at: new Date('2024-05-01T08:00:01.000Z') } };
    for (let i = 0; i < 2; i += 1) {
      await applyRecordOp(parseRecordOp(JSON.parse(JSON.stringify(op))), up);
      await applyRecordOp(parseRecordOp(JSON.parse(JSON.stringify(event))), up);
    }
    expect((await up.calls.list({ limit: 10, offset: 0 })).total).to.equal(1);
    expect(await up.acd.listQueueEvents({ from: new Date(0), to: new Date('2030-01-01T00:00:00.000Z') })).to.have.length(1);
  });

  it('when the previous run died mid-write, leaving a torn last line, the next run cuts it off and its own first record is stored', async () => {
    const file = join(dir, 'spool', 'records.jsonl');
    mkdirSync(join(dir, 'spool'), { recursive: true, mode: 0o700 });
    const whole: RecordOp = { kind: 'call-create', key: 'k-whole', nodeId: 'node-a', record: { callId: 'before-crash', direction: 'inbound', from: '1', to: '2', startedAt: new Date('2024-05-01T08:00:00.000Z') } };
    writeFileSync(file, `${JSON.stringify(whole)}\n{"kind":"call-create","key":"k-torn","nod`, { mode: 0o600 });
    const first = await openSpool();
    await new DurableCallRecords(up.calls, first, 'node-a').create({ callId: 'after-crash', direction: 'inbound', from: '13812345678', to: '12345', startedAt: new Date('2024-05-01T09:00:00.000Z') });
    await first.close();

    current = { stores: up, up: true };
    const second = await openSpool();
    await until('the replayed backlog is written', () => second.backlog === 0);
    const { items } = await up.calls.list({ limit: 10, offset: 0 });
    expect(items.map((c) => c.callId).sort()).to.deep.equal(['after-crash', 'before-crash']);
  });

  it('when the database takes writes one by one and the drain never idles, the spool file is still compacted and stays bounded', async () => {
    const gates: (() => void)[] = [];
    const spool = await RecordSpool.open<RecordOp>({
      file: join(dir, 'busy', 'records.jsonl'),
      maxBytes: 4096,
      apply: () => new Promise<void>((resolve) => gates.push(resolve)),
      parse: parseRecordOp,
      describe: describeRecordOp,
      databaseUp: () => Promise.resolve(true),
      clock: systemClock,
      logger: silentLogger(),
    });
    spools.push(spool);
    const file = join(dir, 'busy', 'records.jsonl');
    let largest = 0;
    for (let i = 0; i < 60; i += 1) {
      const op: RecordOp = { kind: 'agent-event', key: `key-${i}`, event: { agentId: '7', extension: '8001', fromState: AgentState.Ready, toState: AgentState.NotReady, reason: 'lunch', at: new Date('2024-05-01T08:00:00.000Z') } };
      void spool.submit(op).catch(() => undefined);
      await until(`write ${i} is in the file`, () => readFileSync(file, 'utf8').includes(`"key-${i}"`));
      largest = Math.max(largest, statSync(file).size);
      // Lets the previous write reach the database; the drain goes straight on to this one.
      if (i > 0) gates.shift()?.();
      await until(`write ${i} is being applied`, () => gates.length === 1);
    }
    gates.shift()?.();
    expect(largest).to.be.at.most(2 * 4096);
  });

  it('when the database refuses a record outright (too long, unique or foreign key), it is tried once, kept in the dead-letter file, and the records behind it are stored', async () => {
    const tooLong = new DatabaseError(Object.assign(new Error("Data too long for column 'call_id' at row 1"), { code: 'ER_DATA_TOO_LONG', sql: 'INSERT …', parameters: {} }));
    const refusals: Record<string, Error> = {
      'too-long': toAppError(tooLong, 'DATABASE_ERROR', 'storing call record too-long failed'),
      unique: toAppError(new UniqueConstraintError({ message: 'Validation error' }), 'DATABASE_ERROR', 'storing call record unique failed'),
      'foreign-key': toAppError(new ForeignKeyConstraintError({ message: 'a foreign key constraint fails' }), 'DATABASE_ERROR', 'storing call record foreign-key failed'),
    };
    const tries: string[] = [];
    current = { stores: up, up: true };
    const spool = await RecordSpool.open<RecordOp>({
      file: join(dir, 'spool', 'records.jsonl'),
      maxBytes: 1_048_576,
      apply: (op) => {
        const callId = op.kind === 'call-create' ? op.record.callId : '';
        tries.push(callId);
        const refusal = refusals[callId];
        return refusal === undefined ? applyRecordOp(op, up) : Promise.reject(refusal);
      },
      parse: parseRecordOp,
      describe: describeRecordOp,
      databaseUp: () => Promise.resolve(true),
      clock: systemClock,
      logger: silentLogger(),
      retryMinMs: 20,
      retryMaxMs: 100,
    });
    spools.push(spool);
    const records = new DurableCallRecords(up.calls, spool, 'node-a');
    for (const callId of ['too-long', 'unique', 'foreign-key', 'fine']) {
      await records.create({ callId, direction: 'inbound', from: '13812345678', to: '12345', startedAt: new Date('2024-05-01T08:00:00.000Z') });
    }
    await until('the backlog is written', () => spool.backlog === 0);
    expect(tries).to.deep.equal(['too-long', 'unique', 'foreign-key', 'fine']);
    expect((await up.calls.list({ limit: 10, offset: 0 })).items.map((c) => c.callId)).to.deep.equal(['fine']);
    const deadFile = join(dir, 'spool', 'records.jsonl.dead.jsonl');
    await until('the dead letters are written', () => existsSync(deadFile) && readFileSync(deadFile, 'utf8').split('\n').length === 4);
    const dead = readFileSync(deadFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { op: { record: { callId: string } }; error: string });
    expect(dead.map((d) => d.op.record.callId)).to.deep.equal(['too-long', 'unique', 'foreign-key']);
    expect(dead[0]?.error).to.match(/Data too long/);
    expect(statSync(deadFile).mode & 0o777).to.equal(0o600);
  });

  it('when the database hangs, each ACD write is released as soon as it is in the spool file, and the backlog shows them all', async () => {
    const spool = await RecordSpool.open<RecordOp>({
      file: join(dir, 'spool', 'records.jsonl'),
      maxBytes: 1_048_576,
      apply: () => new Promise<void>(() => undefined),
      parse: parseRecordOp,
      describe: describeRecordOp,
      databaseUp: () => new Promise<boolean>(() => undefined),
      clock: systemClock,
      logger: silentLogger(),
      // Longer than this test may run: only the file may release the writer.
      ackTimeoutMs: 600_000,
      applyTimeoutMs: 600_000,
    });
    spools.push(spool);
    const acd = new DurableAcdRecords(up.acd, spool);
    for (let i = 0; i < 20; i += 1) {
      await acd.addQueueEvent({ callId: `call-${i}`, queue: 'general', event: 'entered', agentId: null, extension: null, waitMs: null, talkMs: null, at: new Date('2024-05-01T08:00:01.000Z') });
    }
    expect(spool.backlog).to.equal(20);
    expect(readFileSync(join(dir, 'spool', 'records.jsonl'), 'utf8').trim().split('\n')).to.have.length(20);
  });

  it('when the database does not answer its ping, it counts as down (for the spool and /healthz) instead of hanging', async () => {
    expect(await pingWithin({ ping: () => new Promise<boolean>(() => undefined) }, 50, systemClock)).to.equal(false);
    expect(await pingWithin({ ping: () => Promise.resolve(true) }, 50, systemClock)).to.equal(true);
  });

  it('when a second process opens the same spool, it is refused naming the file; a lock left by a dead process is taken over', async () => {
    await openSpool();
    const file = join(dir, 'spool', 'records.jsonl');
    const second = await openSpool().then(() => undefined, (err: unknown) => err);
    expect(second).to.have.property('code', 'RECORD_SPOOL_LOCKED');
    expect(String(second)).to.include(file);
    writeFileSync(join(dir, 'stale.jsonl.lock'), '2147483646');
    const spool = await RecordSpool.open<RecordOp>({ file: join(dir, 'stale.jsonl'), maxBytes: 4096, apply: () => Promise.resolve(), parse: parseRecordOp, describe: describeRecordOp, databaseUp: () => Promise.resolve(true), clock: systemClock, logger: silentLogger() });
    spools.push(spool);
    expect(readFileSync(join(dir, 'stale.jsonl.lock'), 'utf8')).to.equal(String(process.pid));
  });

  it('when the spool is full, the write is refused with RECORD_SPOOL_FULL and counted on /metrics', async () => {
    const spool = await RecordSpool.open<RecordOp>({
      file: join(dir, 'small', 'records.jsonl'),
      maxBytes: 400,
      apply: (op) => applyRecordOp(op, current.stores),
      parse: parseRecordOp,
      describe: describeRecordOp,
      databaseUp: () => Promise.resolve(false),
      clock: systemClock,
      logger: silentLogger(),
      retryMinMs: 20,
      retryMaxMs: 100,
    });
    spools.push(spool);
    const registry = new Registry();
    registerRecordSpoolGauges(registry, spool);
    const records = new DurableCallRecords(up.calls, spool, 'node-a');
    const refusals: unknown[] = [];
    for (let i = 0; i < 5; i += 1) {
      await records.create({ callId: `c${i}`, direction: 'inbound', from: '13812345678', to: '12345', startedAt: new Date() }).catch((err: unknown) => refusals.push(err));
    }
    expect(refusals.length).to.be.greaterThan(0);
    expect(refusals[0]).to.have.property('code', 'RECORD_SPOOL_FULL');
    expect(await registry.metrics()).to.match(new RegExp(`^hotline_record_spool_dropped_total ${refusals.length}$`, 'm'));
  });
});
