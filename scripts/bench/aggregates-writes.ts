/**
 * The write side of the report aggregates (issue 14) for scripts/bench-aggregates.ts: what keeping
 * report_order_days / report_queue_days adds to one order action and to one queue event, on the
 * database the reports are timed on. Every sample runs in a transaction that is rolled back, so the
 * generated data stays as it was; the rollback means no commit (no redo-log flush) is in the figures.
 * Last, whole order actions are committed through the repository (with the aggregates) and through its
 * path before them (without), so the difference includes everything the aggregates brought: the row
 * lock and log read first, the facts and the upsert.
 */
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import { rawDate, type ReportAggregates } from '../../src/db/report-aggregates.js';
import { SequelizeTicketRepository } from '../../src/db/ticket-repository.js';
import { defineTicketModels } from '../../src/db/ticket.model.js';
import { ticketTransaction } from '../../src/db/ticket-transaction.js';
import type { FactEvent } from '../../src/metrics/order-facts.js';
import type { QueueRowFact } from '../../src/metrics/queue-facts.js';

type Row = Record<string, unknown>;

/** p50 / p99 / max of one measured step, ms, over `n` samples. */
export interface Percentiles {
  readonly n: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

export interface WriteSide {
  /** `SELECT 1` through the same pool: the floor any one statement has on this machine at this load. */
  readonly roundTrip: Percentiles;
  /** Order action (a dispatch appended to the order's log): the aggregate part alone, the event without it (lock, log read, insert), and both. */
  readonly order: { readonly extra: Percentiles; readonly without: Percentiles; readonly with: Percentiles; readonly rowsPerEvent: number; readonly facts: Percentiles; readonly upsert: Percentiles };
  /**
   * Whole order actions, committed: SequelizeTicketRepository.update (a dispatch: patch + event) as it
   * is, and the same action by the path update() took before the aggregates (issue 14): UPDATE with
   * the version, INSERT of the event, the row and its log read back; alternated on orders next to
   * each other, so both see the same machine.
   */
  readonly orderCommitted: { readonly with: Percentiles; readonly without: Percentiles };
  /** A queue event written alone (addQueueEventOnce): partner look-up + upsert, the INSERT alone, both. */
  readonly queueSingle: { readonly extra: Percentiles; readonly without: Percentiles; readonly with: Percentiles };
  /** A queue event in a spool batch of `batchSize` (addQueueEventsOnce), per event (batch time / size). */
  readonly queueBatch: { readonly batchSize: number; readonly batches: number; readonly extra: Percentiles; readonly without: Percentiles; readonly with: Percentiles };
}

export function percentiles(xs: readonly number[]): Percentiles {
  const s = [...xs].sort((a, b) => a - b);
  const at = (p: number): number => s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0;
  return { n: s.length, p50: at(50), p99: at(99), max: s[s.length - 1] ?? 0 };
}

class Rollback extends Error {}

/** Runs `fn` in a write transaction (as the repositories do) and rolls it back. */
async function rolledBack(sequelize: Sequelize, fn: (transaction: Transaction) => Promise<void>): Promise<void> {
  await ticketTransaction(sequelize, async (transaction) => {
    await fn(transaction);
    throw new Rollback();
  }).catch((err: unknown) => {
    if (!(err instanceof Rollback)) throw err;
  });
}

const nullable = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/**
 * `count` order actions on orders spread over the last `count × 20` orders (about a week at 1M orders
 * a year): each locks the order row, reads its whole log and inserts a `dispatched` event, as
 * SequelizeTicketRepository.appendEvents does (raw SQL here, without the models' overhead), then the
 * aggregate part: facts before and after, and the upsert. The first `warmUp` are not counted (the
 * instance asks the table's columns once).
 */
async function orderActions(sequelize: Sequelize, aggregates: ReportAggregates, nowMs: number, count: number, warmUp: number): Promise<WriteSide['order']> {
  const select = (sql: string, replacements: Row, transaction?: Transaction): Promise<Row[]> => sequelize.query<Row>(sql, { type: QueryTypes.SELECT, replacements, transaction });
  const recent = await select('SELECT id FROM tickets ORDER BY id DESC LIMIT :n', { n: (count + warmUp) * 20 });
  const ids = recent.filter((_, i) => i % 20 === 0).map((r) => Number(r.id));
  const extra: number[] = [];
  const without: number[] = [];
  const total: number[] = [];
  const factsMs: number[] = [];
  const upsertMs: number[] = [];
  let rows = 0;
  for (const [i, id] of ids.entries()) {
    await rolledBack(sequelize, async (transaction) => {
      const t0 = performance.now();
      const [t] = await select('SELECT id, created_at, category_id, current_unit_id, sign_by, reply_by, state, version FROM tickets WHERE id = :id FOR UPDATE', { id }, transaction);
      if (t === undefined) return;
      const log = (await select('SELECT id, type, at, unit_id, data FROM ticket_events WHERE ticket_id = :id ORDER BY id', { id }, transaction)).map(
        (e): FactEvent => ({ id: Number(e.id), type: String(e.type), at: rawDate(e.at), unitId: nullable(e.unit_id), data: String(e.data) }),
      );
      const unitId = nullable(t.current_unit_id) ?? 1;
      const at = new Date(nowMs);
      await sequelize.query("INSERT INTO ticket_events (ticket_id, type, actor_user_id, actor_role, channel, unit_id, note, data, at) VALUES (:id, 'dispatched', 1, 'dispatcher', 'web', :unitId, NULL, '{}', :at)", {
        replacements: { id, unitId, at },
        transaction,
      });
      const t1 = performance.now();
      const order = { createdAt: rawDate(t.created_at), categoryId: nullable(t.category_id), currentUnitId: nullable(t.current_unit_id), signBy: t.sign_by === null ? null : rawDate(t.sign_by), replyBy: t.reply_by === null ? null : rawDate(t.reply_by) };
      const next: FactEvent = { id: Number.MAX_SAFE_INTEGER, type: 'dispatched', at, unitId, data: '{}' };
      const before = aggregates.facts(order, log);
      const after = aggregates.facts(order, [...log, next]);
      const tf = performance.now();
      await aggregates.applyOrderChange(before, after, transaction);
      const t2 = performance.now();
      if (i < warmUp) return;
      factsMs.push(tf - t1);
      upsertMs.push(t2 - tf);
      without.push(t1 - t0);
      extra.push(t2 - t1);
      total.push(t2 - t0);
      rows += new Set([...before, ...after].map((f) => `${f.scope}|${String(f.scopeId)}|${f.day}|${f.prevDay}|${f.nextDay}`)).size;
    });
  }
  return { extra: percentiles(extra), without: percentiles(without), with: percentiles(total), rowsPerEvent: extra.length === 0 ? 0 : rows / extra.length, facts: percentiles(factsMs), upsert: percentiles(upsertMs) };
}

/**
 * The whole order action committed, with the aggregates (the repository) and without them (its
 * pre-issue-14 path, rebuilt here with the same models). Adds one dispatch event to each order used.
 */
async function orderActionsCommitted(sequelize: Sequelize, timeZone: string, nowMs: number, count: number, warmUp: number): Promise<WriteSide['orderCommitted']> {
  const repository = new SequelizeTicketRepository(sequelize, { timeZone });
  const m = defineTicketModels(sequelize);
  const recent = await sequelize.query<Row>('SELECT id, version, current_unit_id FROM tickets ORDER BY id DESC LIMIT :n', { type: QueryTypes.SELECT, replacements: { n: (count + warmUp) * 20 } });
  // Orders the rolled-back samples did not use (those took every 20th from the newest).
  const sample = recent.filter((_, i) => i % 10 === 5);
  const withMs: number[] = [];
  const withoutMs: number[] = [];
  for (const [i, t] of sample.entries()) {
    const id = Number(t.id);
    const version = Number(t.version);
    const unitId = nullable(t.current_unit_id) ?? 1;
    const at = new Date(nowMs + i);
    const event = { type: 'dispatched' as const, actorUserId: 1, actorRole: 'dispatcher', channel: 'web' as const, unitId, note: null, data: {}, at };
    const t0 = performance.now();
    if (i % 2 === 0) {
      await repository.update(id, version, { currentUnitId: unitId }, [event]);
    } else {
      await ticketTransaction(sequelize, async (transaction) => {
        const [changed] = await m.tickets.update({ currentUnitId: unitId, version: version + 1, updatedAt: at }, { where: { id, version }, transaction });
        if (changed === 0) throw new Error(`order ${String(id)} changed meanwhile`);
        await m.events.create({ ...event, ticketId: id, data: JSON.stringify(event.data) }, { transaction });
        await m.tickets.findByPk(id, { transaction });
        await m.events.findAll({ where: { ticketId: id }, order: [['id', 'ASC']], transaction });
      });
    }
    const ms = performance.now() - t0;
    if (i < warmUp * 2) continue;
    (i % 2 === 0 ? withMs : withoutMs).push(ms);
  }
  return { with: percentiles(withMs), without: percentiles(withoutMs) };
}

/** The queue events of one call answered after `waitS` seconds and wrapped up, as the ACD writes them. */
function callEvents(callId: string, atMs: number, waitS: number): QueueRowFact[] {
  return [
    { callId, queue: 'general', event: 'entered', waitMs: 0, at: new Date(atMs) },
    { callId, queue: 'general', event: 'answered', waitMs: waitS * 1000, at: new Date(atMs + waitS * 1000) },
    { callId, queue: 'general', event: 'wrap-up-ended', waitMs: null, at: new Date(atMs + waitS * 1000 + 180_000) },
  ];
}

async function insertQueueRows(sequelize: Sequelize, rows: readonly QueueRowFact[], keyPrefix: string, transaction: Transaction): Promise<void> {
  const tuples = rows.map((r, i) => `(${[r.callId, r.queue, r.event, r.waitMs, r.at, `${keyPrefix}-${String(i)}`].map((v) => (v === null ? 'NULL' : sequelize.escape(v))).join(', ')})`).join(', ');
  await sequelize.query(`INSERT INTO queue_events (call_id, queue, event, wait_ms, at, record_key) VALUES ${tuples}`, { transaction });
}

/**
 * What SequelizeAcdRecordRepository.insertCounted does: the stored partners of the paired rows looked
 * up, the INSERT, the counters added. Returns [aggregate part, INSERT] in ms.
 */
async function writeCounted(sequelize: Sequelize, aggregates: ReportAggregates, rows: readonly QueueRowFact[], keyPrefix: string, transaction: Transaction): Promise<[number, number]> {
  const t0 = performance.now();
  const paired = rows.filter((r) => r.event === 'answered' || r.event === 'wrap-up-ended').map((r) => r.callId);
  const stored = paired.length === 0 ? [] : await aggregates.storedPartners(paired, transaction);
  const t1 = performance.now();
  await insertQueueRows(sequelize, rows, keyPrefix, transaction);
  const t2 = performance.now();
  await aggregates.addQueueEvents(rows, stored, transaction);
  const t3 = performance.now();
  return [t1 - t0 + (t3 - t2), t2 - t1];
}

/**
 * Queue events written one at a time (each event of a call in its own transaction, the earlier ones
 * of the call already stored in it) and in spool batches of `batchSize`.
 */
async function queueEvents(sequelize: Sequelize, aggregates: ReportAggregates, nowMs: number, count: number, warmUp: number, batchSize: number): Promise<Pick<WriteSide, 'queueSingle' | 'queueBatch'>> {
  const single = { extra: [] as number[], without: [] as number[], total: [] as number[] };
  for (let c = 0; single.extra.length < count; c++) {
    const events = callEvents(`bench-single-${String(c)}`, nowMs + c * 1000, c % 40);
    await rolledBack(sequelize, async (transaction) => {
      for (const [i, e] of events.entries()) {
        const [extra, insert] = await writeCounted(sequelize, aggregates, [e], `bench-s-${String(c)}-${String(i)}`, transaction);
        if (c * events.length + i < warmUp) continue;
        single.without.push(insert);
        single.extra.push(extra);
        single.total.push(extra + insert);
      }
    });
  }
  const batch = { extra: [] as number[], without: [] as number[], total: [] as number[] };
  const batches = Math.max(100, Math.ceil(count / batchSize));
  for (let b = 0; b < batches; b++) {
    const rows: QueueRowFact[] = [];
    for (let c = 0; rows.length < batchSize; c++) rows.push(...callEvents(`bench-batch-${String(b)}-${String(c)}`, nowMs + b * 60_000 + c * 500, c % 40));
    const slice = rows.slice(0, batchSize);
    await rolledBack(sequelize, async (transaction) => {
      const [extra, insert] = await writeCounted(sequelize, aggregates, slice, `bench-b-${String(b)}`, transaction);
      batch.without.push(insert / slice.length);
      batch.extra.push(extra / slice.length);
      batch.total.push((extra + insert) / slice.length);
    });
  }
  return {
    queueSingle: { extra: percentiles(single.extra), without: percentiles(single.without), with: percentiles(single.total) },
    queueBatch: { batchSize, batches, extra: percentiles(batch.extra), without: percentiles(batch.without), with: percentiles(batch.total) },
  };
}

/** The write side at `nowMs` (after the data's last day), `count` samples of each kind. */
export async function measureWrites(sequelize: Sequelize, aggregates: ReportAggregates, nowMs: number, count: number): Promise<WriteSide> {
  const trips: number[] = [];
  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    await sequelize.query('SELECT 1', { type: QueryTypes.SELECT });
    trips.push(performance.now() - t0);
  }
  const order = await orderActions(sequelize, aggregates, nowMs, count, 20);
  const queue = await queueEvents(sequelize, aggregates, nowMs, count, 20, 50);
  // Last: it commits (one more dispatch on each order it uses).
  const orderCommitted = await orderActionsCommitted(sequelize, aggregates.timeZone, nowMs, count, 20);
  return { roundTrip: percentiles(trips), order, orderCommitted, ...queue };
}
