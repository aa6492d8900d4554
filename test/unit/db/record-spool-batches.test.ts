import { expect } from 'chai';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sinon from 'sinon';
import { RecordSpool, type RecordSpoolOptions } from '../../../src/db/record-spool.js';
import { silentLogger } from '../../../src/logging/logger.js';
import { ValidationError } from '../../../src/shared/app-error.js';
import { systemClock } from '../../../src/shared/clock.js';

interface TestOp {
  readonly n: number;
}

function parseOp(value: unknown): TestOp {
  if (typeof value === 'object' && value !== null && 'n' in value && typeof value.n === 'number') return { n: value.n };
  throw new Error('not a test op');
}

async function until(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** A fake database: what it stored (in order), the batches and single writes it was given. */
class FakeDatabase {
  up = true;
  readonly stored: number[] = [];
  readonly batches: number[][] = [];
  readonly singles: number[] = [];
  /** Ops the database refuses as values (a bad op: dead-lettered at once). */
  readonly refused = new Set<number>();
  /** Ops that fail with an error no one can classify, while the database answers. */
  readonly failing = new Set<number>();

  applyBatch(ops: readonly TestOp[]): Promise<void> {
    this.batches.push(ops.map((o) => o.n));
    if (!this.up) return Promise.reject(new Error('connect ECONNREFUSED'));
    const bad = ops.find((o) => this.refused.has(o.n) || this.failing.has(o.n));
    // All or nothing, as a transaction.
    if (bad !== undefined) return Promise.reject(new Error(`op ${bad.n} failed`));
    this.stored.push(...ops.map((o) => o.n));
    return Promise.resolve();
  }

  apply(op: TestOp): Promise<void> {
    this.singles.push(op.n);
    if (!this.up) return Promise.reject(new Error('connect ECONNREFUSED'));
    if (this.refused.has(op.n)) return Promise.reject(new ValidationError(`op ${op.n}: bad value`, [{ path: 'n', message: 'bad value' }]));
    if (this.failing.has(op.n)) return Promise.reject(new Error(`op ${op.n} failed`));
    this.stored.push(op.n);
    return Promise.resolve();
  }
}

describe('RecordSpool: writes applied in batches', () => {
  let dir: string;
  let spool: RecordSpool<TestOp> | undefined;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hotline-spool-batches-'));
  });

  afterEach(async () => {
    sinon.restore();
    await spool?.close();
    spool = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  async function open(db: FakeDatabase, options: Partial<RecordSpoolOptions<TestOp>> = {}): Promise<RecordSpool<TestOp>> {
    spool = await RecordSpool.open<TestOp>({
      file: join(dir, 'records.jsonl'),
      maxBytes: 1_048_576,
      apply: (op) => db.apply(op),
      applyBatch: (ops) => db.applyBatch(ops),
      maxBatch: 200,
      parse: parseOp,
      describe: (op) => `op ${op.n}`,
      databaseUp: () => Promise.resolve(db.up),
      clock: systemClock,
      logger: silentLogger(),
      retryMinMs: 5,
      retryMaxMs: 20,
      ...options,
    });
    return spool;
  }

  const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);

  it('when 500 writes wait, they are applied in batches of at most 200, in order, each once', async () => {
    const db = new FakeDatabase();
    const s = await open(db);
    await Promise.all(range(0, 500).map((n) => s.submit({ n })));
    await until('the backlog is written', () => s.backlog === 0);
    expect(db.batches.map((b) => b.length)).to.deep.equal([200, 200, 100]);
    expect(db.stored).to.deep.equal(range(0, 500));
    expect(db.singles).to.deep.equal([]);
  });

  it('when a batch fails on one bad op while the database answers, its ops are applied one at a time: the bad op is dead-lettered, the others stored in order, and later writes are batched again', async () => {
    const db = new FakeDatabase();
    db.refused.add(4);
    const s = await open(db);
    await Promise.all(range(0, 10).map((n) => s.submit({ n })));
    await until('the backlog is written', () => s.backlog === 0);
    expect(db.batches).to.deep.equal([range(0, 10)]);
    expect(db.singles).to.deep.equal(range(0, 10));
    expect(db.stored).to.deep.equal([0, 1, 2, 3, 5, 6, 7, 8, 9]);
    const deadFile = join(dir, 'records.jsonl.dead.jsonl');
    // Whole lines: the file appears (opened for append) before its line is written.
    await until('the dead letter is written', () => existsSync(deadFile) && readFileSync(deadFile, 'utf8').endsWith('\n'));
    expect(readFileSync(deadFile, 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { op: TestOp }).op.n)).to.deep.equal([4]);

    await Promise.all(range(10, 20).map((n) => s.submit({ n })));
    await until('the later writes are written', () => s.backlog === 0);
    expect(db.batches.at(-1)).to.deep.equal(range(10, 20));
    expect(db.singles).to.have.length(10);
    expect(db.stored.slice(9)).to.deep.equal(range(10, 20));
  });

  it('when one op of a batch keeps failing for an unknown reason while the database answers, it is tried maxAttempts times alone, as before batches, then dead-lettered; the rest are stored', async () => {
    const db = new FakeDatabase();
    db.failing.add(2);
    const s = await open(db, { maxAttempts: 3 });
    await Promise.all(range(0, 5).map((n) => s.submit({ n })));
    await until('the backlog is written', () => s.backlog === 0);
    expect(db.singles).to.deep.equal([0, 1, 2, 2, 2, 3, 4]);
    expect(db.stored).to.deep.equal([0, 1, 3, 4]);
  });

  it('when the database is down, the batch is kept whole and retried, nothing is applied alone or leaves the spool file, until the batch commits', async () => {
    const db = new FakeDatabase();
    db.up = false;
    const s = await open(db);
    await Promise.all(range(0, 30).map((n) => s.submit({ n })));
    await until('the batch was tried three times', () => db.batches.length >= 3);
    expect(s.backlog).to.equal(30);
    expect(db.singles).to.deep.equal([]);
    expect(db.batches.every((b) => b.length === 30)).to.equal(true);
    const lines = readFileSync(join(dir, 'records.jsonl'), 'utf8').trim().split('\n');
    expect(lines.map((l) => parseOp(JSON.parse(l)).n)).to.deep.equal(range(0, 30));

    db.up = true;
    await until('the backlog is written', () => s.backlog === 0);
    expect(db.stored).to.deep.equal(range(0, 30));
    expect(db.singles).to.deep.equal([]);
    await until('the spool file is emptied', () => readFileSync(join(dir, 'records.jsonl'), 'utf8') === '');
  });

  it('when a batch hangs past the apply timeout and the database still answers, its ops are applied one at a time', async () => {
    const db = new FakeDatabase();
    const s = await open(db, { applyBatch: () => new Promise<void>(() => undefined), applyTimeoutMs: 50 });
    await Promise.all(range(0, 3).map((n) => s.submit({ n })));
    await until('the backlog is written', () => s.backlog === 0);
    expect(db.singles).to.deep.equal([0, 1, 2]);
  });

  it('when the spool is full, a write is refused at once, as without batches (RECORD_SPOOL_MAX_MB)', async () => {
    const db = new FakeDatabase();
    db.up = false;
    const s = await open(db, { maxBytes: 100 });
    const outcomes = await Promise.allSettled(range(0, 20).map((n) => s.submit({ n })));
    const refused = outcomes.filter((o) => o.status === 'rejected');
    expect(refused.length).to.be.greaterThan(0);
    expect(refused[0]).to.have.nested.property('reason.code', 'RECORD_SPOOL_FULL');
    expect(s.backlogBytes).to.be.at.most(100);
    expect(s.dropped).to.equal(refused.length);
  });
});
