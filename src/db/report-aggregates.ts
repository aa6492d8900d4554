import { QueryTypes, type QueryInterface, type Sequelize, type Transaction } from 'sequelize';
import { dayKeyOf, type DayKeyOf } from '../metrics/local-day-key.js';
import { factDelta, ORDER_COUNTERS, orderFacts, type FactEvent, type FactOrder, type FactRows, type FactScope } from '../metrics/order-facts.js';
import { zonedToInstant } from '../metrics/report-period.js';
import { QUEUE_COUNTERS, queueFacts, type QueueFactRows, type QueueRowFact } from '../metrics/queue-facts.js';

/** The centre's zone when a caller names none (config TZ's default). */
export const DEFAULT_REPORT_TIME_ZONE = 'Asia/Shanghai';

/** Rows per multi-row statement (SQLite and MySQL both take this many literals comfortably). */
const CHUNK = 400;

type Row = Record<string, unknown>;

/**
 * The per-day report aggregates (report_order_days 0026, report_queue_days 0027): the writes that keep
 * them up to date inside the caller's transaction, the sums the reports read, and the replacement of
 * whole days a rebuild writes. What each row counts: metrics/order-facts.ts and metrics/queue-facts.ts.
 */
export class ReportAggregates {
  readonly dayOf: DayKeyOf;
  private readonly mysql: boolean;
  private readonly columns = new Map<string, Promise<Set<string>>>();
  private readonly dayStarts = new Map<string, number>();

  constructor(
    private readonly sequelize: Sequelize,
    readonly timeZone: string = DEFAULT_REPORT_TIME_ZONE,
  ) {
    this.dayOf = dayKeyOf(timeZone);
    this.mysql = sequelize.getDialect() !== 'sqlite';
  }

  /** The columns of `table`, asked once per instance (instances are made after the migrations ran). */
  private columnsOf(table: string, transaction: Transaction): Promise<Set<string>> {
    let columns = this.columns.get(table);
    if (columns === undefined) {
      columns = this.sequelize
        .getQueryInterface()
        .describeTable(table, { transaction } as Parameters<QueryInterface['describeTable']>[1])
        .then((d) => new Set(Object.keys(d)));
      columns.catch(() => this.columns.delete(table));
      this.columns.set(table, columns);
    }
    return columns;
  }

  /** The instant local midnight of `day` (`YYYY-MM-DD`) begins. */
  dayStart(day: string): Date {
    // Cached: zonedToInstant builds a formatter per call, and a year's daily trend asks for each day twice.
    let start = this.dayStarts.get(day);
    if (start === undefined) {
      const [y, m, d] = day.split('-').map(Number);
      start = zonedToInstant(Date.UTC(y ?? 1970, (m ?? 1) - 1, d ?? 1), this.timeZone);
      if (this.dayStarts.size > 10_000) this.dayStarts.clear();
      this.dayStarts.set(day, start);
    }
    return new Date(start);
  }

  /** The day after `day`. */
  nextDay(day: string): string {
    return this.dayOf(this.dayStart(day).getTime() + 36 * 3_600_000);
  }

  /** The facts of one order as it stands (its row and whole log). */
  facts(order: FactOrder, log: readonly FactEvent[]): ReturnType<typeof orderFacts> {
    return orderFacts(order, log, this.dayOf);
  }

  /** Applies an order's change: its facts before the write taken off, its facts after added. */
  async applyOrderChange(before: ReturnType<typeof orderFacts>, after: ReturnType<typeof orderFacts>, transaction: Transaction): Promise<void> {
    await this.addOrderRows(factDelta(before, after), transaction);
  }

  /** Adds summed counters into report_order_days (one upsert per row key, keys in a fixed order so writers never deadlock). */
  async addOrderRows(rows: FactRows, transaction: Transaction): Promise<void> {
    const sorted = [...rows.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, r]) => r);
    const keys = ['scope', 'day', 'scope_id', 'prev_day', 'next_day'];
    const values = sorted.map((r) => [r.key.scope, r.key.day, r.key.scopeId, r.key.prevDay, r.key.nextDay, ...ORDER_COUNTERS.map((c) => r.counters[c] ?? 0)]);
    await this.upsert('report_order_days', keys, ORDER_COUNTERS, values, transaction);
  }

  /**
   * The counters of queue events about to be inserted (`added`, in order), given the `answered` and
   * `wrap-up-ended` rows already stored for their calls, added into report_queue_days.
   */
  async addQueueEvents(added: readonly QueueRowFact[], stored: readonly QueueRowFact[], transaction: Transaction): Promise<void> {
    await this.addQueueRows(queueFacts(added, stored, this.dayOf), transaction);
  }

  async addQueueRows(rows: QueueFactRows, transaction: Transaction): Promise<void> {
    const sorted = [...rows.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, r]) => r);
    const values = sorted.map((r) => [r.key.day, r.key.queue, r.key.waitS, ...QUEUE_COUNTERS.map((c) => r.counters[c] ?? 0)]);
    await this.upsert('report_queue_days', ['day', 'queue', 'wait_s'], QUEUE_COUNTERS, values, transaction);
  }

  /** The `answered` / `wrap-up-ended` rows stored for `callIds` (what a new row of theirs pairs with). */
  async storedPartners(callIds: readonly string[], transaction: Transaction): Promise<QueueRowFact[]> {
    const out: QueueRowFact[] = [];
    const unique = [...new Set(callIds)];
    for (let i = 0; i < unique.length; i += CHUNK) {
      const rows = await this.sequelize.query<Row>("SELECT call_id, queue, event, wait_ms, at FROM queue_events WHERE call_id IN (:ids) AND event IN ('answered', 'wrap-up-ended') ORDER BY id", {
        type: QueryTypes.SELECT,
        replacements: { ids: unique.slice(i, i + CHUNK) },
        transaction,
      });
      out.push(...rows.map(toQueueRowFact));
    }
    return out;
  }

  /** Sums of report_order_days over whole days [fromDay, toDay) of `scope`, per scope id. */
  async orderSums(scope: FactScope, fromDay: string, toDay: string): Promise<Map<number, Record<string, number>>> {
    const sums = ORDER_COUNTERS.map((c) => `SUM(${c}) AS ${c}`).join(', ');
    const rows = await this.sequelize.query<Row>(
      `SELECT scope_id, ${sums} FROM report_order_days WHERE scope = :scope AND day >= :fromDay AND day < :toDay AND prev_day < :fromDay AND next_day >= :toDay GROUP BY scope_id`,
      { type: QueryTypes.SELECT, replacements: { scope, fromDay, toDay } },
    );
    return new Map(rows.map((r) => [Number(r.scope_id), Object.fromEntries(ORDER_COUNTERS.map((c) => [c, Number(r[c] ?? 0)]))]));
  }

  /**
   * Sums of report_queue_days over whole days [fromDay, toDay), per day when `byDay`. `slCase` is the
   * SQL of the threshold in whole seconds by queue (`q.queue`); `:minAbandonS` the short-abandon limit.
   */
  async queueSums(fromDay: string, toDay: string, slCase: string, replacements: Record<string, unknown>, byDay: boolean): Promise<Row[]> {
    return this.sequelize.query<Row>(
      `SELECT ${byDay ? 'q.day AS day, ' : ''}SUM(q.offered) AS offered, SUM(q.answered) AS answered,
  SUM(CASE WHEN q.wait_s <= ${slCase} THEN q.answered ELSE 0 END) AS answered_within_sl,
  SUM(q.abandoned) AS abandoned, SUM(CASE WHEN q.wait_s < :minAbandonS THEN q.abandoned ELSE 0 END) AS short_abandons,
  SUM(q.wait_sum_ms) AS wait_sum_ms, SUM(q.handled) AS handled, SUM(q.handle_sum_ms) AS handle_sum_ms
FROM report_queue_days q WHERE q.day >= :fromDay AND q.day < :toDay${byDay ? ' GROUP BY q.day' : ''}`,
      { type: QueryTypes.SELECT, replacements: { ...replacements, fromDay, toDay } },
    );
  }

  /** The stored rows of report_order_days whose day is in [fromDay, toDay), locked until the transaction ends (MySQL). */
  async storedOrderRows(fromDay: string, toDay: string, transaction: Transaction): Promise<FactRows> {
    const rows = await this.sequelize.query<Row>(`SELECT * FROM report_order_days WHERE day >= :fromDay AND day < :toDay${this.mysql ? ' FOR UPDATE' : ''}`, {
      type: QueryTypes.SELECT,
      replacements: { fromDay, toDay },
      transaction,
    });
    const out: FactRows = new Map();
    for (const r of rows) {
      const key = { scope: String(r.scope) as FactScope, scopeId: Number(r.scope_id), day: String(r.day), prevDay: String(r.prev_day), nextDay: String(r.next_day) };
      const counters = nonZeroCounters(ORDER_COUNTERS, r);
      out.set(`${key.scope}|${String(key.scopeId)}|${key.day}|${key.prevDay}|${key.nextDay}`, { key, counters });
    }
    return out;
  }

  /** The stored rows of report_queue_days whose day is in [fromDay, toDay), locked (MySQL). */
  async storedQueueRows(fromDay: string, toDay: string, transaction: Transaction): Promise<QueueFactRows> {
    const rows = await this.sequelize.query<Row>(`SELECT * FROM report_queue_days WHERE day >= :fromDay AND day < :toDay${this.mysql ? ' FOR UPDATE' : ''}`, {
      type: QueryTypes.SELECT,
      replacements: { fromDay, toDay },
      transaction,
    });
    const out: QueueFactRows = new Map();
    for (const r of rows) {
      const key = { day: String(r.day), queue: String(r.queue), waitS: Number(r.wait_s) };
      const counters = nonZeroCounters(QUEUE_COUNTERS, r);
      out.set(`${key.day}|${key.queue}|${String(key.waitS)}`, { key, counters });
    }
    return out;
  }

  /** Replaces every row of days [fromDay, toDay) of both tables with `orders` and `queue`. */
  async replaceDays(fromDay: string, toDay: string, rows: { orders?: FactRows; queue?: QueueFactRows }, transaction: Transaction): Promise<void> {
    if (rows.orders !== undefined) {
      await this.sequelize.query('DELETE FROM report_order_days WHERE day >= :fromDay AND day < :toDay', { replacements: { fromDay, toDay }, transaction });
      await this.addOrderRows(withoutZeros(rows.orders), transaction);
    }
    if (rows.queue !== undefined) {
      await this.sequelize.query('DELETE FROM report_queue_days WHERE day >= :fromDay AND day < :toDay', { replacements: { fromDay, toDay }, transaction });
      await this.addQueueRows(withoutZeros(rows.queue), transaction);
    }
  }

  /**
   * INSERT … or add to the row already there, many rows a statement. Only the counters the table has
   * are written: a migration that fills the tables (0028) may run before a later one adds a counter's
   * column (and rebuilds it).
   */
  private async upsert(table: string, keys: readonly string[], allCounters: readonly string[], allValues: readonly (readonly (string | number)[])[], transaction: Transaction): Promise<void> {
    if (allValues.length === 0) return;
    const present = await this.columnsOf(table, transaction);
    const kept = allCounters.map((c, i) => [c, keys.length + i] as const).filter(([c]) => present.has(c));
    const counters = kept.map(([c]) => c);
    const values = allValues.map((row) => [...row.slice(0, keys.length), ...kept.map(([, i]) => row[i] ?? 0)]);
    const columns = [...keys, ...counters].join(', ');
    const update = this.mysql
      ? `ON DUPLICATE KEY UPDATE ${counters.map((c) => `${c} = ${c} + VALUES(${c})`).join(', ')}`
      : `ON CONFLICT (${keys.join(', ')}) DO UPDATE SET ${counters.map((c) => `${c} = ${c} + excluded.${c}`).join(', ')}`;
    for (let i = 0; i < values.length; i += CHUNK) {
      const tuples = values
        .slice(i, i + CHUNK)
        .map((row) => `(${row.map((v) => this.sequelize.escape(v)).join(', ')})`)
        .join(', ');
      await this.sequelize.query(`INSERT INTO ${table} (${columns}) VALUES ${tuples} ${update}`, { transaction });
    }
  }
}

function nonZeroCounters(names: readonly string[], row: Row): Record<string, number> {
  const counters: Record<string, number> = {};
  for (const name of names) {
    const value = Number(row[name] ?? 0);
    if (value !== 0) counters[name] = value;
  }
  return counters;
}

/** Rows whose counters are all 0 are not worth storing (a rebuild writes none, so a comparison never sees them). */
function withoutZeros<R extends { counters: Record<string, number> }>(rows: Map<string, R>): Map<string, R> {
  return new Map([...rows].filter(([, r]) => Object.values(r.counters).some((v) => v !== 0)));
}

export function toQueueRowFact(r: Row): QueueRowFact {
  return { callId: String(r.call_id), queue: String(r.queue), event: String(r.event), waitMs: r.wait_ms === null || r.wait_ms === undefined ? null : Number(r.wait_ms), at: rawDate(r.at) };
}

const RAW_DATE = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?)\s?(Z|[+-]\d{2}:\d{2})?$/;

/** A DATETIME as a raw query returns it: a Date (mysql2) or SQLite's text `YYYY-MM-DD HH:MM:SS.sss +00:00` (UTC). */
export function rawDate(value: unknown): Date {
  if (value instanceof Date) return value;
  const text = String(value);
  const m = RAW_DATE.exec(text);
  const date = m === null ? new Date(text) : new Date(`${m[1] ?? ''}T${m[2] ?? ''}${m[3] ?? 'Z'}`);
  if (Number.isNaN(date.getTime())) throw new TypeError(`not a stored time: ${text.slice(0, 40)}`);
  return date;
}
