import { appendFile, chmod, mkdir, open, readFile, rename, stat, truncate, unlink, utimes, writeFile, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Logger } from '../logging/logger.js';
import { AppError } from '../shared/app-error.js';
import type { Clock, Timer } from '../shared/clock.js';
import { isUnstorable } from './unstorable-error.js';

export interface RecordSpoolOptions<Op> {
  /** The append-only spool file (JSON lines); its folder is created 0700, the file 0600. */
  readonly file: string;
  /** Most bytes of writes waiting for the database; a write beyond is refused (RECORD_SPOOL_FULL). */
  readonly maxBytes: number;
  /** Writes one op to the database; must be idempotent (a replay after a crash applies it again). */
  readonly apply: (op: Op) => Promise<void>;
  /**
   * Writes several ops (in spool order) to the database all or nothing, in one transaction; idempotent
   * like `apply`. Without it every op is applied alone.
   */
  readonly applyBatch?: (ops: readonly Op[]) => Promise<void>;
  /** Most ops given to one applyBatch, default 200. */
  readonly maxBatch?: number;
  /** Parses one stored line back into an op; throws on a line it cannot read. */
  readonly parse: (value: unknown) => Op;
  /** Names an op in logs (no phone numbers). */
  readonly describe: (op: Op) => string;
  /** True when the database answers: a failed write is then counted, else retried without limit. */
  readonly databaseUp: () => Promise<boolean>;
  readonly clock: Clock;
  readonly logger: Logger;
  /** First and longest pause between retries, default 500 ms and 10 s. */
  readonly retryMinMs?: number;
  readonly retryMaxMs?: number;
  /** A write that hangs this long counts as failed (it may still land: ops are idempotent). Default 30 s. */
  readonly applyTimeoutMs?: number;
  /** When the file cannot be written, a caller waits at most this long for the database, default 5 s. */
  readonly ackTimeoutMs?: number;
  /** Failures of one op while the database answers before it is dropped as unstorable, default 5. */
  readonly maxAttempts?: number;
  /** How often the file's mtime is set to the clock: the last sign of life of a run that dies. Default 10 s. */
  readonly heartbeatMs?: number;
}

interface Entry<Op> {
  readonly op: Op;
  readonly bytes: number;
  readonly line: string;
  attempts: number;
  /** Releases the caller (once). */
  release: () => void;
}

/**
 * A bounded, durable FIFO of record writes in front of the database. Each write is appended to the
 * spool file and fsync'd (several at once: group commit) before it is applied, applied in order, and
 * retried until the database takes it; so a crash or a database outage of minutes loses no record.
 * The ops waiting when the drain comes round (at most `maxBatch`) are applied together in one
 * transaction; they leave the queue (and, at the next compaction, the file) only once it committed.
 * A batch that fails while the database answers is applied again one op at a time, so one bad op is
 * found and handled alone (dead-lettered) and the others are stored; a database that is down is
 * waited for with the batch kept whole.
 * At open the writes a previous run left in the file are queued again (they are idempotent). The file
 * is emptied whenever the queue is, and rewritten with only the waiting writes when it grows.
 */
export class RecordSpool<Op> {
  private readonly pending: Entry<Op>[] = [];
  private readonly toAppend: Entry<Op>[] = [];
  private fileChain: Promise<void> = Promise.resolve();
  private fh: FileHandle | undefined;
  private fileBytes = 0;
  /** Bytes of ops not yet applied (queued for the file or waiting for the database). */
  private liveBytes = 0;
  private draining = false;
  private closed = false;
  private databaseDown = false;
  private retryTimer: Timer | undefined;
  private wakeRetry: (() => void) | undefined;
  private heartbeat: Timer | undefined;
  private droppedCount = 0;
  private readonly retryMinMs: number;
  private readonly retryMaxMs: number;

  /** The file's mtime when opened: when the previous run last showed life (undefined: no file). */
  readonly previousHeartbeat: Date | undefined;

  private constructor(
    private readonly options: RecordSpoolOptions<Op>,
    previousHeartbeat: Date | undefined,
  ) {
    this.previousHeartbeat = previousHeartbeat;
    this.retryMinMs = options.retryMinMs ?? 500;
    this.retryMaxMs = options.retryMaxMs ?? 10_000;
  }

  /** Opens (creating) the spool file and queues the writes a previous run left in it. */
  static async open<Op>(options: RecordSpoolOptions<Op>): Promise<RecordSpool<Op>> {
    await mkdir(dirname(options.file), { recursive: true, mode: 0o700 });
    await lockSpool(options.file);
    const before = await stat(options.file).catch(() => undefined);
    const spool = new RecordSpool(options, before?.mtime);
    let raw = before === undefined ? Buffer.alloc(0) : await readFile(options.file);
    // A crash mid-write leaves a torn last line: cut the file back to its last newline, else the next
    // run's first write would be appended to the fragment and lost with it at the following replay.
    const end = raw.lastIndexOf(0x0a) + 1;
    if (end < raw.length) {
      await truncate(options.file, end);
      options.logger.error('record spool: torn last line cut off (the previous run died mid-write)', { file: options.file, bytes: raw.length - end });
      raw = raw.subarray(0, end);
    }
    const text = raw.toString('utf8');
    const lines = text.split('\n');
    let unreadable = 0;
    for (const line of lines) {
      if (line.trim() === '') continue;
      try {
        spool.enqueue(options.parse(JSON.parse(line)), line);
      } catch {
        // A line torn by a crash mid-write (only the last can be) or damaged by hand: nothing to replay.
        unreadable += 1;
      }
    }
    if (unreadable > 0) options.logger.error('record spool: unreadable lines skipped', { file: options.file, lines: unreadable });
    if (spool.pending.length > 0) options.logger.warn('record spool: replaying writes of the previous run', { file: options.file, records: spool.pending.length });
    spool.fh = await open(options.file, 'a', 0o600);
    await chmod(options.file, 0o600);
    spool.fileBytes = raw.length;
    spool.heartbeat = spool.scheduleHeartbeat();
    void spool.drain();
    return spool;
  }

  /** Writes waiting for the database (queued, or in the file and not yet applied). */
  get backlog(): number {
    return this.pending.length + this.toAppend.length;
  }

  get backlogBytes(): number {
    return this.liveBytes;
  }

  /** Writes refused because the spool was full, since start. */
  get dropped(): number {
    return this.droppedCount;
  }

  /**
   * Queues `op`. Resolves once it is fsync'd to the spool file (the database write follows, in order,
   * retried), or, if the file cannot be written, once the database took it or after the ack timeout;
   * rejects only when the spool is full or closed.
   */
  submit(op: Op): Promise<void> {
    if (this.closed) return Promise.reject(new AppError('RECORD_SPOOL_CLOSED', `record spool closed: ${this.options.describe(op)} not stored`));
    const line = JSON.stringify(op);
    const bytes = Buffer.byteLength(line) + 1;
    if (this.liveBytes + bytes > this.options.maxBytes) {
      this.droppedCount += 1;
      this.options.logger.error('record spool full: record dropped (the database has not taken writes for a while)', {
        record: this.options.describe(op),
        backlog: this.backlog,
        maxBytes: this.options.maxBytes,
      });
      return Promise.reject(new AppError('RECORD_SPOOL_FULL', `record spool full: ${this.options.describe(op)} dropped`));
    }
    return new Promise<void>((resolve) => {
      const ack = this.options.clock.setTimeout(release, this.options.ackTimeoutMs ?? 5_000);
      const clock = this.options.clock;
      function release(): void {
        clock.clearTimeout(ack);
        resolve();
      }
      const entry: Entry<Op> = { op, line, bytes, attempts: 0, release };
      this.liveBytes += bytes;
      this.toAppend.push(entry);
      this.onFile(() => this.appendBatch());
    });
  }

  /**
   * Stops: waits up to `drainMs` for the queue to reach the database, then closes the file. What is
   * left stays in the file for the next start. Safe to call twice.
   */
  async close(drainMs = 0): Promise<void> {
    if (this.closed) return;
    const deadline = this.options.clock.now() + drainMs;
    while (this.backlog > 0 && this.options.clock.now() < deadline && !this.databaseDown) {
      await new Promise<void>((resolve) => this.options.clock.setTimeout(resolve, 20));
    }
    this.closed = true;
    if (this.heartbeat) this.options.clock.clearTimeout(this.heartbeat);
    if (this.retryTimer) this.options.clock.clearTimeout(this.retryTimer);
    this.wakeRetry?.();
    await this.fileChain;
    await this.fh?.close();
    this.fh = undefined;
    heldLocks.delete(this.options.file);
    await unlink(`${this.options.file}.lock`).catch(() => undefined);
  }

  private enqueue(op: Op, line: string): void {
    const bytes = Buffer.byteLength(line) + 1;
    this.liveBytes += bytes;
    this.pending.push({ op, line, bytes, attempts: 0, release: () => undefined });
  }

  /** Runs file work one step at a time, in order; a failing step is logged and does not stop later ones. */
  private onFile(step: () => Promise<void>): void {
    this.fileChain = this.fileChain.then(step).catch((err: unknown) => {
      this.options.logger.error('record spool: file write failed', { file: this.options.file, error: err instanceof Error ? err.message : String(err) });
    });
  }

  /** Appends every queued op in one write and one fsync, then hands them to the drain. */
  private async appendBatch(): Promise<void> {
    if (this.toAppend.length === 0) return;
    const batch = this.toAppend.splice(0);
    try {
      if (this.fh === undefined) throw new AppError('RECORD_SPOOL_CLOSED', 'record spool file is closed');
      const text = batch.map((e) => `${e.line}\n`).join('');
      await this.fh.write(text);
      await this.fh.sync();
      this.fileBytes += Buffer.byteLength(text);
      // A caller waits only for the file: its write is safe there and reaches the database after, in
      // order. Waiting for the database would keep a hanging database's backlog in callers' memory.
      for (const entry of batch) entry.release();
    } finally {
      // Even when the file failed, the writes are still tried against the database (only less durably).
      this.pending.push(...batch);
      void this.drain();
    }
    // While the database takes writes one after another the drain never idles: the applied lines
    // would pile up in the file, so it is rewritten here too once they outweigh the waiting ones.
    await this.compact();
  }

  /** Empties the file when nothing waits, or rewrites it with only the waiting ops when mostly applied. */
  private async compact(): Promise<void> {
    if (this.fh === undefined || this.toAppend.length > 0) return;
    if (this.pending.length === 0) {
      if (this.fileBytes === 0) return;
      await this.fh.truncate(0);
      await this.fh.sync();
      this.fileBytes = 0;
      return;
    }
    if (this.fileBytes < 2 * this.liveBytes + Math.min(1_048_576, this.options.maxBytes)) return;
    const tmp = `${this.options.file}.tmp`;
    const text = this.pending.map((e) => `${e.line}\n`).join('');
    const out = await open(tmp, 'w', 0o600);
    try {
      await out.write(text);
      await out.sync();
    } finally {
      await out.close();
    }
    await rename(tmp, this.options.file);
    // The rename is durable only once the folder's entry is on disk too.
    await syncDirectory(dirname(this.options.file));
    await this.fh.close();
    this.fh = await open(this.options.file, 'a', 0o600);
    this.fileBytes = Buffer.byteLength(text);
  }

  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    let delay = this.retryMinMs;
    /** Ops at the head of the queue to apply one at a time: a failed batch's, to find the bad one. */
    let isolate = 0;
    const applyBatch = this.options.applyBatch;
    const maxBatch = Math.max(1, this.options.maxBatch ?? 200);
    try {
      while (!this.closed) {
        const entry = this.pending[0];
        if (entry === undefined) break;
        if (applyBatch !== undefined && isolate === 0 && this.pending.length > 1) {
          const batch = this.pending.slice(0, maxBatch);
          const failure = await this.tryApply(() => applyBatch(batch.map((e) => e.op)));
          if (failure === undefined) {
            this.doneMany(batch);
            delay = this.retryMinMs;
            this.databaseAnswered();
            continue;
          }
          for (const waiting of this.pending) waiting.release();
          if (await this.options.databaseUp().catch(() => false)) {
            isolate = batch.length;
            this.options.logger.warn('record spool: a batch of records failed, applying them one at a time', { records: batch.length, error: errorMessage(failure) });
            continue;
          }
          this.databaseIsDown(failure);
          await this.pause(delay);
          delay = Math.min(delay * 2, this.retryMaxMs);
          continue;
        }
        const failure = await this.tryApply(() => this.options.apply(entry.op));
        if (failure === undefined) {
          this.done(entry);
          isolate = Math.max(0, isolate - 1);
          delay = this.retryMinMs;
          this.databaseAnswered();
          continue;
        }
        // The callers are released: their writes are in the spool file and will be retried.
        for (const waiting of this.pending) waiting.release();
        if (isUnstorable(failure)) {
          this.drop(entry, failure);
          isolate = Math.max(0, isolate - 1);
          continue;
        }
        if (await this.options.databaseUp().catch(() => false)) {
          entry.attempts += 1;
          if (entry.attempts >= (this.options.maxAttempts ?? 5)) {
            this.drop(entry, failure);
            isolate = Math.max(0, isolate - 1);
            continue;
          }
        } else {
          this.databaseIsDown(failure);
        }
        await this.pause(delay);
        delay = Math.min(delay * 2, this.retryMaxMs);
      }
    } finally {
      this.draining = false;
    }
    if (!this.closed) this.onFile(() => this.compact());
  }

  private databaseAnswered(): void {
    if (!this.databaseDown) return;
    this.databaseDown = false;
    this.options.logger.info('record spool: the database is back, writing the backlog', { backlog: this.backlog });
  }

  private databaseIsDown(failure: unknown): void {
    if (this.databaseDown) return;
    this.databaseDown = true;
    this.options.logger.error('record spool: the database is unavailable, records are kept in the spool and retried', {
      backlog: this.backlog,
      error: errorMessage(failure),
    });
  }

  private async tryApply(write: () => Promise<void>): Promise<unknown> {
    let timer: Timer | undefined;
    const timeoutMs = this.options.applyTimeoutMs ?? 30_000;
    const timeout = new Promise<never>((_, reject) => {
      timer = this.options.clock.setTimeout(() => {
        reject(new AppError('DATABASE_TIMEOUT', `the database did not answer within ${timeoutMs} ms`));
      }, timeoutMs);
    });
    try {
      await Promise.race([write(), timeout]);
      return undefined;
    } catch (err) {
      return err ?? new Error('unknown failure');
    } finally {
      if (timer) this.options.clock.clearTimeout(timer);
    }
  }

  /** The first `batch.length` pending entries are applied: one splice, not a shift each (the queue may be long). */
  private doneMany(batch: readonly Entry<Op>[]): void {
    this.pending.splice(0, batch.length);
    for (const entry of batch) {
      this.liveBytes -= entry.bytes;
      entry.release();
    }
  }

  private done(entry: Entry<Op>): void {
    this.pending.shift();
    this.liveBytes -= entry.bytes;
    entry.release();
  }

  private drop(entry: Entry<Op>, err: unknown): void {
    this.done(entry);
    const deadLetters = `${this.options.file}.dead.jsonl`;
    this.options.logger.error('record not storable: dropped from the spool, kept in the dead-letter file', {
      record: this.options.describe(entry.op),
      attempts: entry.attempts,
      error: errorMessage(err),
      deadLetters,
    });
    // Kept for an operator to fix by hand and re-enter; 0600 like the spool (it holds phone numbers).
    const line = `${JSON.stringify({ at: new Date(this.options.clock.now()).toISOString(), error: errorMessage(err), op: entry.op })}\n`;
    this.onFile(async () => {
      await appendFile(deadLetters, line, { mode: 0o600 });
      await chmod(deadLetters, 0o600);
    });
  }

  private pause(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      this.wakeRetry = resolve;
      this.retryTimer = this.options.clock.setTimeout(resolve, ms);
    });
  }

  private scheduleHeartbeat(): Timer {
    return this.options.clock.setTimeout(() => {
      const now = new Date(this.options.clock.now());
      void utimes(this.options.file, now, now).catch(() => undefined);
      if (!this.closed) this.heartbeat = this.scheduleHeartbeat();
    }, this.options.heartbeatMs ?? 10_000);
  }
}

/** Spool files this process holds (a lock file naming our pid but not in here is left by an earlier run). */
const heldLocks = new Set<string>();

/**
 * Takes `<file>.lock` (created exclusively, holding our pid), so two processes with the same NODE_ID
 * never append to one spool; a lock whose process is gone is taken over.
 */
async function lockSpool(file: string): Promise<void> {
  const lock = `${file}.lock`;
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      await writeFile(lock, String(process.pid), { flag: 'wx', mode: 0o600 });
      heldLocks.add(file);
      return;
    } catch (err) {
      if (!(err instanceof Error && 'code' in err && err.code === 'EEXIST')) throw err;
    }
    const pid = Number.parseInt(await readFile(lock, 'utf8').catch(() => ''), 10);
    if (Number.isInteger(pid) && pid > 0 && isAlive(pid) && (pid !== process.pid || heldLocks.has(file))) {
      throw new AppError('RECORD_SPOOL_LOCKED', `record spool ${file} is in use by process ${pid} (${lock}): give each process its own NODE_ID`);
    }
    await unlink(lock).catch(() => undefined);
  }
  throw new AppError('RECORD_SPOOL_LOCKED', `record spool ${file}: could not take ${lock}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists, owned by another user.
    return err instanceof Error && 'code' in err && err.code === 'EPERM';
  }
}

async function syncDirectory(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
