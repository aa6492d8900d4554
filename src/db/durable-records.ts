import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { Logger } from '../logging/logger.js';
import type { Clock } from '../shared/clock.js';
import type { Database } from './database.js';
import { DurableAcdRecords } from './durable-acd-records.js';
import { DurableCallRecords } from './durable-call-records.js';
import { applyRecordOp, applyRecordOps, describeRecordOp, parseRecordOp, type RecordOp, type RecordStores } from './record-ops.js';
import { RecordSpool, type RecordSpoolOptions } from './record-spool.js';
import { SequelizeAcdRecordRepository } from './sequelize-acd-record-repository.js';
import { SequelizeCallRecordRepository } from './sequelize-call-record-repository.js';
import { ticketTransaction } from './ticket-transaction.js';

export interface DurableRecordsOptions {
  /** The spool folder (RECORD_SPOOL_DIR). */
  readonly dir: string;
  readonly maxBytes: number;
  /** This process (NODE_ID): written on each call, and whose open calls are closed at start. */
  readonly nodeId: string;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The centre's zone (config TZ): the local days the report aggregates count queue events in. */
  readonly timeZone?: string;
  /** Spool tuning for tests (retry pauses, heartbeat). */
  readonly spool?: Pick<RecordSpoolOptions<RecordOp>, 'retryMinMs' | 'retryMaxMs' | 'heartbeatMs' | 'ackTimeoutMs' | 'maxBatch'>;
}

export interface DurableRecords {
  readonly calls: DurableCallRecords;
  readonly acd: DurableAcdRecords;
  readonly spool: RecordSpool<RecordOp>;
  /** The database answers a ping within PING_TIMEOUT_MS (for /healthz too). */
  readonly databaseUp: () => Promise<boolean>;
}

/**
 * Opens the record spool of this node and database, replays what the previous run left in it, then
 * queues the closing of the calls the previous run left open (after the replay, so a replayed end wins).
 * Their endedAt is the previous run's last heartbeat (the spool file's mtime, at most ~10 s before it
 * died) or, without one, the start of this run.
 */
export async function openDurableRecords(db: Database, options: DurableRecordsOptions): Promise<DurableRecords> {
  const startedAt = new Date(options.clock.now());
  const databaseUp = (): Promise<boolean> => pingWithin(db, PING_TIMEOUT_MS, options.clock);
  const stores: RecordStores = {
    calls: new SequelizeCallRecordRepository(db.sequelize, options.nodeId),
    acd: new SequelizeAcdRecordRepository(db.sequelize, { timeZone: options.timeZone }),
    // SQLite: IMMEDIATE, queued in process and retried on a lock, like every write transaction here.
    transaction: (fn) => ticketTransaction(db.sequelize, fn),
    onCrashedClosed: (count: number, op: { nodeId: string; endedAt: Date }) => {
      if (count > 0) options.logger.warn('calls left open by the previous run closed as crashed', { calls: count, nodeId: op.nodeId, endedAt: op.endedAt.toISOString() });
    },
  };
  // One spool per node and database: a spool is never replayed into another database.
  const database = createHash('sha256').update(db.description).digest('hex').slice(0, 12);
  const spool = await RecordSpool.open<RecordOp>({
    file: join(options.dir, `records-${options.nodeId}-${database}.jsonl`),
    maxBytes: options.maxBytes,
    apply: (op) => applyRecordOp(op, stores),
    applyBatch: (ops) => applyRecordOps(ops, stores),
    parse: parseRecordOp,
    describe: describeRecordOp,
    databaseUp,
    clock: options.clock,
    logger: options.logger,
    ...options.spool,
  });
  const heartbeat = spool.previousHeartbeat;
  const endedAt = heartbeat !== undefined && heartbeat.getTime() < startedAt.getTime() ? heartbeat : startedAt;
  await spool.submit({ kind: 'calls-close-crashed', nodeId: options.nodeId, before: startedAt, endedAt }).catch((err: unknown) => {
    options.logger.error('closing the calls of the previous run not queued', { error: err instanceof Error ? err.message : String(err) });
  });
  return { calls: new DurableCallRecords(stores.calls, spool, options.nodeId), acd: new DurableAcdRecords(stores.acd, spool), spool, databaseUp };
}

/** A hanging database (full pool, lost packets) counts as down after this long, for the spool and /healthz. */
export const PING_TIMEOUT_MS = 3_000;

/** db.ping(), false when it has not answered within `ms`. */
export function pingWithin(db: Pick<Database, 'ping'>, ms: number, clock: Clock): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const timer = clock.setTimeout(() => {
      resolve(false);
    }, ms);
    db.ping().then(
      (up) => {
        clock.clearTimeout(timer);
        resolve(up);
      },
      () => {
        clock.clearTimeout(timer);
        resolve(false);
      },
    );
  });
}
