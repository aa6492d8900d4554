import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import { addFacts, type FactEvent, type FactRows } from '../metrics/order-facts.js';
import { queueFacts, type QueueFactRows, type QueueRowFact } from '../metrics/queue-facts.js';
import { CALL_SPAN_MS } from './call-day-cache.js';
import { rawDate, toQueueRowFact, type ReportAggregates } from './report-aggregates.js';
import { ticketTransaction } from './ticket-transaction.js';

/** Local days [fromDay, toDay) as `YYYY-MM-DD`. */
export interface DayRange {
  readonly fromDay: string;
  readonly toDay: string;
}

/** One aggregate row whose stored counters differ from the ones recomputed from the log. */
export interface AggregateDifference {
  readonly table: 'report_order_days' | 'report_queue_days';
  /** The row key, e.g. `all|0|2026-11-20||9999-12-31` or `2026-11-20|general|15`. */
  readonly key: string;
  /** Counter → [stored, recomputed], only the counters that differ. */
  readonly counters: Readonly<Record<string, readonly [number, number]>>;
}

const TICKET_CHUNK = 500;
/** The event types whose time makes an order's fact fall on a day (besides created_at and reply_by). */
const DAY_EVENT_TYPES = ['closed', 'dispatched', 'surveyed', 'returned'];
const QUEUE_TYPES = ['entered', 'overflow', 'answered', 'abandoned', 'wrap-up-ended'];

type Row = Record<string, unknown>;

/**
 * Recomputes the report aggregates from the event log (tickets + ticket_events, queue_events) with
 * the same fact functions the writes use (metrics/order-facts.ts, metrics/queue-facts.ts): to rebuild
 * a period after an import or a migration (`npm run report-aggregates -- --from … --to …`), and to
 * check and repair yesterday every night (jobs/report-reconcile.job.ts).
 */
export class ReportAggregateRebuild {
  constructor(
    private readonly sequelize: Sequelize,
    private readonly aggregates: ReportAggregates,
  ) {}

  private dayStart(day: string): Date {
    return this.aggregates.dayStart(day);
  }

  /** Every local day holding an order fact or a queue event, or undefined on an empty log. */
  async fullRange(): Promise<DayRange | undefined> {
    const [t] = await this.select('SELECT MIN(created_at) AS lo, MAX(created_at) AS hi, MAX(reply_by) AS reply FROM tickets', {});
    const [e] = await this.select('SELECT MIN(at) AS lo, MAX(at) AS hi FROM ticket_events', {});
    const [q] = await this.select('SELECT MIN(at) AS lo, MAX(at) AS hi FROM queue_events', {});
    const instants = [t?.lo, t?.hi, t?.reply, e?.lo, e?.hi, q?.lo, q?.hi].filter((v) => v !== null && v !== undefined).map((v) => rawDate(v).getTime());
    if (instants.length === 0) return undefined;
    const dayOf = this.aggregates.dayOf;
    const last = dayOf(Math.max(...instants));
    return { fromDay: dayOf(Math.min(...instants)), toDay: this.aggregates.nextDay(last) };
  }

  /** The report_order_days rows of `range`, from the log. `all`: every order is read (a full rebuild). */
  async computeOrders(range: DayRange, transaction?: Transaction, all = false): Promise<FactRows> {
    const rows: FactRows = new Map();
    const keep = (day: string): boolean => day >= range.fromDay && day < range.toDay;
    const add = async (ids: readonly number[]): Promise<void> => {
      for (let i = 0; i < ids.length; i += TICKET_CHUNK) {
        const chunk = ids.slice(i, i + TICKET_CHUNK);
        const tickets = await this.select('SELECT id, created_at, category_id, current_unit_id, sign_by, reply_by FROM tickets WHERE id IN (:ids)', { ids: chunk }, transaction);
        const events = await this.select('SELECT id, ticket_id, type, at, unit_id, data FROM ticket_events WHERE ticket_id IN (:ids) ORDER BY id', { ids: chunk }, transaction);
        const logs = new Map<number, FactEvent[]>();
        for (const e of events) {
          const id = Number(e.ticket_id);
          let log = logs.get(id);
          if (log === undefined) logs.set(id, (log = []));
          log.push({ id: Number(e.id), type: String(e.type), at: rawDate(e.at), unitId: nullableNumber(e.unit_id), data: typeof e.data === 'string' ? e.data : '' });
        }
        for (const t of tickets) {
          const order = { createdAt: rawDate(t.created_at), categoryId: nullableNumber(t.category_id), currentUnitId: nullableNumber(t.current_unit_id), signBy: nullableDate(t.sign_by), replyBy: nullableDate(t.reply_by) };
          addFacts(rows, this.aggregates.facts(order, logs.get(Number(t.id)) ?? []).filter((f) => keep(f.day)), 1);
        }
      }
    };
    if (all) {
      for (let after = 0; ; ) {
        const ids = (await this.select('SELECT id FROM tickets WHERE id > :after ORDER BY id LIMIT 5000', { after }, transaction)).map((r) => Number(r.id));
        if (ids.length === 0) break;
        await add(ids);
        after = ids[ids.length - 1] ?? after;
      }
      return nonZero(rows);
    }
    const bounds = { from: this.dayStart(range.fromDay), to: this.dayStart(range.toDay) };
    const candidates = new Set<number>();
    for (const sql of [
      'SELECT id FROM tickets WHERE created_at >= :from AND created_at < :to',
      'SELECT id FROM tickets WHERE reply_by >= :from AND reply_by < :to',
      'SELECT DISTINCT ticket_id AS id FROM ticket_events WHERE type IN (:types) AND at >= :from AND at < :to',
    ]) {
      for (const r of await this.select(sql, { ...bounds, types: DAY_EVENT_TYPES }, transaction)) candidates.add(Number(r.id));
    }
    await add([...candidates].sort((a, b) => a - b));
    return nonZero(rows);
  }

  /**
   * The report_queue_days rows of `range`, from queue_events: per day, the rows of calls first entered
   * that day lie in [day start, day end + CALL_SPAN_MS) (the same window the event-log SQL reads).
   */
  async computeQueue(range: DayRange, transaction?: Transaction): Promise<QueueFactRows> {
    const rows: QueueFactRows = new Map();
    const dayOf = this.aggregates.dayOf;
    for (let day = range.fromDay; day < range.toDay; ) {
      const from = this.dayStart(day);
      const next = this.aggregates.nextDay(day);
      const to = this.dayStart(next);
      const events = (
        await this.select('SELECT call_id, queue, event, wait_ms, at FROM queue_events WHERE at >= :from AND at < :scanTo AND event IN (:types) ORDER BY id', { from, scanTo: new Date(to.getTime() + CALL_SPAN_MS), types: QUEUE_TYPES }, transaction)
      ).map(toQueueRowFact);
      const ofDay = events.filter((e) => e.event !== 'wrap-up-ended' && dayOf(e.at.getTime() - (e.waitMs ?? 0)) === day);
      const answeredCalls = new Set(ofDay.filter((e) => e.event === 'answered').map((e) => e.callId));
      const added: QueueRowFact[] = [...ofDay, ...events.filter((e) => e.event === 'wrap-up-ended' && answeredCalls.has(e.callId))];
      queueFacts(added, [], dayOf, rows);
      day = next;
    }
    return nonZero(rows);
  }

  /** Replaces the aggregates of `range` (both tables) with what the log gives; returns the rows written. */
  async rebuild(range: DayRange, options: { readonly all?: boolean } = {}): Promise<{ orderRows: number; queueRows: number }> {
    return ticketTransaction(this.sequelize, async (transaction) => {
      const orders = await this.computeOrders(range, transaction, options.all === true);
      const queue = await this.computeQueue(range, transaction);
      await this.aggregates.replaceDays(range.fromDay, range.toDay, { orders, queue }, transaction);
      return { orderRows: orders.size, queueRows: queue.size };
    });
  }

  /**
   * Recomputes `range` from the log and compares it with the stored rows (locked meanwhile, so no write
   * of those days slips between the two); when they differ, the stored rows are replaced. Returns the
   * differences found (empty: nothing was written).
   */
  async reconcile(range: DayRange): Promise<AggregateDifference[]> {
    return ticketTransaction(this.sequelize, async (transaction) => {
      const storedOrders = await this.aggregates.storedOrderRows(range.fromDay, range.toDay, transaction);
      const storedQueue = await this.aggregates.storedQueueRows(range.fromDay, range.toDay, transaction);
      const orders = await this.computeOrders(range, transaction);
      const queue = await this.computeQueue(range, transaction);
      const differences = [...compare('report_order_days', storedOrders, orders), ...compare('report_queue_days', storedQueue, queue)];
      if (differences.length > 0) await this.aggregates.replaceDays(range.fromDay, range.toDay, { orders, queue }, transaction);
      return differences;
    });
  }

  private async select(sql: string, replacements: Record<string, unknown>, transaction?: Transaction): Promise<Row[]> {
    return this.sequelize.query<Row>(sql, { type: QueryTypes.SELECT, replacements, transaction });
  }
}

function compare(table: AggregateDifference['table'], stored: Map<string, { counters: Record<string, number> }>, expected: Map<string, { counters: Record<string, number> }>): AggregateDifference[] {
  const out: AggregateDifference[] = [];
  for (const key of [...new Set([...stored.keys(), ...expected.keys()])].sort()) {
    const a = stored.get(key)?.counters ?? {};
    const b = expected.get(key)?.counters ?? {};
    const counters: Record<string, readonly [number, number]> = {};
    for (const name of new Set([...Object.keys(a), ...Object.keys(b)])) {
      const [x, y] = [a[name] ?? 0, b[name] ?? 0];
      if (x !== y) counters[name] = [x, y];
    }
    if (Object.keys(counters).length > 0) out.push({ table, key, counters });
  }
  return out;
}

/** The rows with their 0 counters left out, rows left with none dropped (as the stored rows are read). */
function nonZero<R extends { counters: Record<string, number> }>(rows: Map<string, R>): Map<string, R> {
  for (const [key, row] of rows) {
    for (const [name, value] of Object.entries(row.counters)) if (value === 0) Reflect.deleteProperty(row.counters, name);
    if (Object.keys(row.counters).length === 0) rows.delete(key);
  }
  return rows;
}

function nullableNumber(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}

function nullableDate(value: unknown): Date | null {
  return value === null || value === undefined ? null : rawDate(value);
}
