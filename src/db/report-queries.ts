import { QueryTypes, type Sequelize } from 'sequelize';
import type { OrderCounts } from '../metrics/order-metrics.js';
import type { QueueCounts } from '../metrics/queue-metrics.js';
import type { CategoryCount, CategoryRef, QueueCountOptions, ReportPeriod, ReportQueries, UnitOrderCounts, UnitRef } from '../metrics/report-queries.js';
import { toAppError } from '../shared/app-error.js';
import type { Clock } from '../shared/clock.js';
import { addCounts, CALL_SPAN_MS, CallDayCache, countParams, DAY_MS, NO_CALLS, settledDays } from './call-day-cache.js';

/**
 * The report queries (metrics/report-queries.ts) as aggregate SQL: each report is a handful of
 * GROUP BY / CASE queries whose result is a row per report (or per unit, per category), never the rows
 * of the period. The same text runs on SQLite and MySQL/MariaDB except one time difference (AHT).
 * Periods are `>= :from AND < :to`; a fact "per order" is a GROUP BY ticket_id over ticket_events
 * restricted first to the orders that have the period's event (index ticket_events_type_at, 0007).
 * sql/reports/*.sql are these queries as the MySQL dialect renders them (a test keeps them equal).
 */
export type ReportDialect = 'sqlite' | 'mysql';

/** Milliseconds from `a` to `b` (two DATETIME(3) columns; SQLite stores them as ISO-like text). */
function msBetween(dialect: ReportDialect, a: string, b: string): string {
  return dialect === 'mysql' ? `TIMESTAMPDIFF(MICROSECOND, ${a}, ${b}) DIV 1000` : `CAST(ROUND((julianday(${b}) - julianday(${a})) * 86400000) AS INTEGER)`;
}

/** Per-queue thresholds as a CASE on the queue the call was answered in; `:slMs` otherwise. */
function serviceLevelCase(queues: readonly string[]): string {
  if (queues.length === 0) return ':slMs';
  return `CASE q.queue ${queues.map((_, i) => `WHEN :slQueue${i} THEN :slQueueMs${i}`).join(' ')} ELSE :slMs END`;
}

/** `:scanFrom` and `:scanTo` of queueCountsSql for a period (the SQL reads `:scanTo`). */
export function queueScanWindow(period: ReportPeriod): { scanFrom: Date; scanTo: Date } {
  return { scanFrom: new Date(period.from.getTime() - CALL_SPAN_MS), scanTo: new Date(period.to.getTime() + CALL_SPAN_MS) };
}

/**
 * Whether the row of `alias` belongs to a call first entered in the period. `entered`, `overflow`,
 * `answered` and `abandoned` rows carry wait_ms from the call's FIRST entry (acd.ts; a first `entered`
 * row 0 or NULL), so `at − wait_ms` is that entry's time, without grouping the rows per call.
 */
function firstEntryInPeriod(dialect: ReportDialect, alias: string): string {
  if (dialect === 'mysql') {
    const entry = `${alias}.at - INTERVAL COALESCE(${alias}.wait_ms, 0) * 1000 MICROSECOND`;
    return `${entry} >= :from AND ${entry} < :to`;
  }
  const epochMs = (x: string): string => `CAST(ROUND((julianday(${x}) - 2440587.5) * 86400000) AS INTEGER)`;
  const entry = `${epochMs(`${alias}.at`)} - COALESCE(${alias}.wait_ms, 0)`;
  return `${entry} >= ${epochMs(':from')} AND ${entry} < ${epochMs(':to')}`;
}

/**
 * 15秒接通率, 接通率, 放弃率, ASA, AHT: calls whose first `entered` row is in the period, without a GROUP BY
 * per call (docs/bench-reports.md). Counted from the rows themselves, each kept when its call's first
 * entry (`at − wait_ms`) is in the period: offered = `entered` rows − `overflow` rows (an overflow is
 * followed by one more `entered` row of the call), answered / abandoned = their rows (one per call),
 * one range scan of the covering index (at, call_id, event, wait_ms, queue) (0009) over [from, to + span).
 * AHT pairs each such `answered` row with its call's `wrap-up-ended` row: a range of the index
 * (event, at, call_id) (0007) and an index-only lookup in (call_id, event, at, wait_ms) (0010).
 */
export function queueCountsSql(dialect: ReportDialect, queues: readonly string[] = []): string {
  return `SELECT m.offered, m.answered, m.answered_within_sl, m.abandoned, m.short_abandons, m.wait_sum_ms, h.handled, h.handle_sum_ms
FROM (
  SELECT SUM(CASE WHEN q.event = 'entered' THEN 1 WHEN q.event = 'overflow' THEN -1 ELSE 0 END) AS offered,
    SUM(CASE WHEN q.event = 'answered' THEN 1 ELSE 0 END) AS answered,
    SUM(CASE WHEN q.event = 'answered' AND COALESCE(q.wait_ms, 0) <= ${serviceLevelCase(queues)} THEN 1 ELSE 0 END) AS answered_within_sl,
    SUM(CASE WHEN q.event = 'abandoned' THEN 1 ELSE 0 END) AS abandoned,
    SUM(CASE WHEN q.event = 'abandoned' AND COALESCE(q.wait_ms, 0) < :minAbandonMs THEN 1 ELSE 0 END) AS short_abandons,
    SUM(CASE WHEN q.event = 'answered' THEN COALESCE(q.wait_ms, 0) END) AS wait_sum_ms
  FROM queue_events q
  WHERE q.at >= :from AND q.at < :scanTo AND q.event IN ('entered', 'overflow', 'answered', 'abandoned')
    AND ${firstEntryInPeriod(dialect, 'q')}
) m
CROSS JOIN (
  SELECT COUNT(*) AS handled, SUM(${msBetween(dialect, 'a.at', 'w.at')}) AS handle_sum_ms
  FROM queue_events w
  JOIN queue_events a ON a.call_id = w.call_id AND a.event = 'answered' AND a.at >= :from AND a.at < :scanTo
  WHERE w.event = 'wrap-up-ended' AND w.at >= :from AND w.at < :scanTo
    AND ${firstEntryInPeriod(dialect, 'a')}
) h`;
}

/** `byUnit`: a row per unit (the column named), else one row. */
interface Grouping {
  readonly select: string;
  readonly groupBy: string;
}
const NO_GROUP: Grouping = { select: '', groupBy: '' };
const group = (column: string): Grouping => ({ select: `${column} AS unit_id, `, groupBy: `\nGROUP BY ${column}` });

/** Whether the order is closed now: its last `closed` event comes after its last `reopened` one. */
const CLOSED_NOW = '(f.last_closed_id IS NOT NULL AND (f.last_reopened_id IS NULL OR f.last_reopened_id < f.last_closed_id))';

/** 受理量 by created_at. */
export const RECEIVED_SQL = 'SELECT COUNT(*) AS received FROM tickets t WHERE t.created_at >= :from AND t.created_at < :to';

/**
 * 办结量 and 一次办结: orders whose last `closed` event is in the period and that are still closed.
 * Per unit, the unit holding the order is a lookup per counted order, not a join: joined, MariaDB
 * drove the query from a full scan of `tickets` (30 days at 1M orders: 21 s, looked up: 3–4 s).
 */
export function closedSql(byUnit: boolean): string {
  return `SELECT ${byUnit ? '(SELECT t.current_unit_id FROM tickets t WHERE t.id = f.ticket_id) AS unit_id, ' : ''}COUNT(*) AS closed,
  SUM(CASE WHEN f.returned_n = 0 AND f.reopened_n = 0 AND f.duplicate_n = 0 THEN 1 ELSE 0 END) AS closed_first_time
FROM (
  SELECT e.ticket_id,
    MAX(CASE WHEN e.type = 'closed' THEN e.id END) AS last_closed_id,
    MAX(CASE WHEN e.type = 'closed' THEN e.at END) AS last_closed_at,
    MAX(CASE WHEN e.type = 'reopened' THEN e.id END) AS last_reopened_id,
    SUM(CASE WHEN e.type = 'returned' THEN 1 ELSE 0 END) AS returned_n,
    SUM(CASE WHEN e.type = 'reopened' THEN 1 ELSE 0 END) AS reopened_n,
    SUM(CASE WHEN e.type = 'linked-duplicate' THEN 1 ELSE 0 END) AS duplicate_n
  FROM ticket_events e
  WHERE e.type IN ('closed', 'reopened', 'returned', 'linked-duplicate')
    AND e.ticket_id IN (SELECT c.ticket_id FROM ticket_events c WHERE c.type = 'closed' AND c.at >= :from AND c.at < :to)
  GROUP BY e.ticket_id
) f
WHERE f.last_closed_at >= :from AND f.last_closed_at < :to AND ${CLOSED_NOW}${byUnit ? '\nGROUP BY unit_id' : ''}`;
}

/** 应办结 (reply_by in the period), of them closed now, and closed by reply_by (按期). */
export function dueSql(g: Grouping = NO_GROUP): string {
  return `SELECT ${g.select}COUNT(*) AS due,
  SUM(CASE WHEN ${CLOSED_NOW} THEN 1 ELSE 0 END) AS due_closed,
  SUM(CASE WHEN ${CLOSED_NOW} AND f.last_closed_at <= t.reply_by THEN 1 ELSE 0 END) AS closed_on_time
FROM tickets t
LEFT JOIN (
  SELECT e.ticket_id,
    MAX(CASE WHEN e.type = 'closed' THEN e.id END) AS last_closed_id,
    MAX(CASE WHEN e.type = 'closed' THEN e.at END) AS last_closed_at,
    MAX(CASE WHEN e.type = 'reopened' THEN e.id END) AS last_reopened_id
  FROM ticket_events e
  WHERE e.type IN ('closed', 'reopened') AND e.ticket_id IN (SELECT d.id FROM tickets d WHERE d.reply_by >= :from AND d.reply_by < :to)
  GROUP BY e.ticket_id
) f ON f.ticket_id = t.id
WHERE t.reply_by >= :from AND t.reply_by < :to${g.groupBy}`;
}

/**
 * 派单 in the period, 重复转办 (more than one `dispatched` event in the log) and 响应 (the last `signed`
 * event at or before sign_by). Per unit, the facts are per (order, unit of the events).
 */
export function dispatchedSql(byUnit: boolean): string {
  const key = byUnit ? 'e.ticket_id, e.unit_id' : 'e.ticket_id';
  return `SELECT ${byUnit ? 'f.unit_id AS unit_id, ' : ''}COUNT(*) AS dispatched,
  SUM(CASE WHEN f.dispatched_n > 1 THEN 1 ELSE 0 END) AS redispatched,
  SUM(CASE WHEN f.last_signed_at IS NOT NULL AND f.last_signed_at <= t.sign_by THEN 1 ELSE 0 END) AS responded_on_time
FROM (
  SELECT ${key},
    SUM(CASE WHEN e.type = 'dispatched' THEN 1 ELSE 0 END) AS dispatched_n,
    MAX(CASE WHEN e.type = 'signed' THEN e.at END) AS last_signed_at
  FROM ticket_events e
  WHERE e.type IN ('dispatched', 'signed') AND e.ticket_id IN (SELECT d.ticket_id FROM ticket_events d WHERE d.type = 'dispatched' AND d.at >= :from AND d.at < :to)
  GROUP BY ${key}
  HAVING SUM(CASE WHEN e.type = 'dispatched' AND e.at >= :from AND e.at < :to THEN 1 ELSE 0 END) > 0
) f
JOIN tickets t ON t.id = f.ticket_id${byUnit ? '\nGROUP BY f.unit_id' : ''}`;
}

/** 回访: the last `surveyed` event of each order in the period (JSON text matched with LIKE: same on both dialects). */
export function surveysSql(g: Grouping = NO_GROUP): string {
  return `SELECT ${g.select}SUM(CASE WHEN s.data LIKE :satisfied THEN 1 ELSE 0 END) AS satisfied,
  SUM(CASE WHEN s.data LIKE :basically THEN 1 ELSE 0 END) AS basically,
  SUM(CASE WHEN s.data LIKE :unsatisfied THEN 1 ELSE 0 END) AS unsatisfied,
  SUM(CASE WHEN s.data LIKE :resolved AND (s.data LIKE :satisfied OR s.data LIKE :basically OR s.data LIKE :unsatisfied) THEN 1 ELSE 0 END) AS resolved
FROM ticket_events s
JOIN (
  SELECT l.ticket_id, MAX(l.id) AS id FROM ticket_events l
  WHERE l.type = 'surveyed' AND l.at >= :from AND l.at < :to
  GROUP BY l.ticket_id
) last_survey ON last_survey.id = s.id${g.groupBy}`;
}

/** 退单 events per unit in the period. */
export const RETURNED_BY_UNIT_SQL = `SELECT e.unit_id AS unit_id, COUNT(*) AS returned FROM ticket_events e
WHERE e.type = 'returned' AND e.at >= :from AND e.at < :to AND e.unit_id IS NOT NULL
GROUP BY e.unit_id`;

/** Red now (ticket-lights.ts): sign_by passed while dispatched, reply_by passed while signed / in progress. */
// The two states are disjoint, so UNION ALL counts each order once; each branch is a range of a
// covering index (migration 0029), where the OR form made MariaDB fetch every red order's row.
export const OVERDUE_BY_UNIT_SQL = `SELECT r.unit_id AS unit_id, COUNT(*) AS overdue FROM (
  SELECT t.current_unit_id AS unit_id FROM tickets t WHERE t.state = 'dispatched' AND t.sign_by < :now AND t.current_unit_id IS NOT NULL
  UNION ALL
  SELECT t.current_unit_id AS unit_id FROM tickets t WHERE t.state IN ('signed', 'in-progress') AND t.reply_by < :now AND t.current_unit_id IS NOT NULL
) r
GROUP BY r.unit_id`;

export const CATEGORY_COUNTS_SQL = `SELECT t.category_id AS category_id, COUNT(*) AS n FROM tickets t
WHERE t.created_at >= :from AND t.created_at < :to
GROUP BY t.category_id`;

const SURVEY_PATTERNS = {
  satisfied: '%"satisfaction":"satisfied"%',
  basically: '%"satisfaction":"basically"%',
  unsatisfied: '%"satisfaction":"unsatisfied"%',
  resolved: '%"resolution":"resolved"%',
};

type Row = Record<string, unknown>;

function n(row: Row | undefined, column: string): number {
  const value = row?.[column];
  return value === null || value === undefined ? 0 : Number(value);
}

/** Sequelize implementation of the reports' port. */
export class SequelizeReportQueries implements ReportQueries {
  private readonly dialect: ReportDialect;
  /** The call counts of settled days (migration 0011); unused without a clock. */
  readonly callDays: CallDayCache;

  /**
   * With `clock`, the call part of a report sums the stored counts of its settled days and counts only
   * the rest from the queue events (a day it counts is stored for the next report). Without, every
   * report counts from the events.
   */
  constructor(
    private readonly sequelize: Sequelize,
    private readonly options: { readonly clock?: Clock } = {},
  ) {
    this.dialect = sequelize.getDialect() === 'sqlite' ? 'sqlite' : 'mysql';
    this.callDays = new CallDayCache(sequelize, this.dialect);
  }

  private async rows(sql: string, replacements: Record<string, unknown>): Promise<Row[]> {
    try {
      return await this.sequelize.query<Row>(sql, { type: QueryTypes.SELECT, replacements });
    } catch (err) {
      throw toAppError(err, 'DB_ERROR', 'report query failed');
    }
  }

  async queueCounts(period: ReportPeriod, options: QueueCountOptions): Promise<QueueCounts> {
    const clock = this.options.clock;
    if (clock === undefined) return this.countCalls(period, options);
    const now = clock.now();
    const { days, rest } = settledDays(period, now);
    const params = countParams(options);
    const stored = await this.callDays.read(params, days);
    let total = rest === undefined ? NO_CALLS : await this.countCalls(rest, options);
    for (const day of days) {
      let counts = stored.get(day);
      if (counts === undefined) {
        counts = await this.countCalls({ from: new Date(day), to: new Date(day + DAY_MS) }, options);
        await this.callDays.store(params, day, counts, new Date(now));
      }
      total = addCounts(total, counts);
    }
    return total;
  }

  async queueCountsByDay(days: readonly ReportPeriod[], options: QueueCountOptions): Promise<QueueCounts[]> {
    const out: QueueCounts[] = [];
    // One day after the other: a year of days is a year of small queries, never a burst on the pool.
    for (const day of days) out.push(await this.queueCounts(day, options));
    return out;
  }

  /** The call counts of the period from the queue events (queueCountsSql). */
  private async countCalls(period: ReportPeriod, options: QueueCountOptions): Promise<QueueCounts> {
    const queues = Object.keys(options.serviceLevelMsByQueue);
    const replacements: Record<string, unknown> = { ...period, ...queueScanWindow(period), slMs: options.serviceLevelMs, minAbandonMs: options.excludeAbandonsUnderMs };
    queues.forEach((q, i) => {
      replacements[`slQueue${i}`] = q;
      replacements[`slQueueMs${i}`] = options.serviceLevelMsByQueue[q];
    });
    const [row] = await this.rows(queueCountsSql(this.dialect, queues), replacements);
    return queueCountsOfRow(row);
  }

  async orderCounts(period: ReportPeriod): Promise<OrderCounts> {
    const [[received], [closed], [due], [dispatched], [surveys]] = await Promise.all([
      this.rows(RECEIVED_SQL, { ...period }),
      this.rows(closedSql(false), { ...period }),
      this.rows(dueSql(), { ...period }),
      this.rows(dispatchedSql(false), { ...period }),
      this.rows(surveysSql(), { ...period, ...SURVEY_PATTERNS }),
    ]);
    return {
      received: n(received, 'received'),
      closed: n(closed, 'closed'),
      closedFirstTime: n(closed, 'closed_first_time'),
      due: n(due, 'due'),
      dueClosed: n(due, 'due_closed'),
      closedOnTime: n(due, 'closed_on_time'),
      dispatched: n(dispatched, 'dispatched'),
      redispatched: n(dispatched, 'redispatched'),
      respondedOnTime: n(dispatched, 'responded_on_time'),
      ...surveyCounts(surveys),
    };
  }

  async unitOrderCounts(period: ReportPeriod, now: Date): Promise<UnitOrderCounts[]> {
    const [closed, due, dispatched, surveys, returned, overdue] = await Promise.all([
      this.rows(closedSql(true), { ...period }),
      this.rows(dueSql(group('t.current_unit_id')), { ...period }),
      this.rows(dispatchedSql(true), { ...period }),
      this.rows(surveysSql(group('s.unit_id')), { ...period, ...SURVEY_PATTERNS }),
      this.rows(RETURNED_BY_UNIT_SQL, { ...period }),
      this.rows(OVERDUE_BY_UNIT_SQL, { now }),
    ]);
    const units = new Set<number>();
    const index = (rows: Row[]): Map<number, Row> => {
      const byUnit = new Map<number, Row>();
      for (const row of rows) {
        if (row.unit_id === null || row.unit_id === undefined) continue;
        const id = Number(row.unit_id);
        byUnit.set(id, row);
        units.add(id);
      }
      return byUnit;
    };
    const [c, d, p, s, r, o] = [index(closed), index(due), index(dispatched), index(surveys), index(returned), index(overdue)];
    return [...units]
      .sort((a, b) => a - b)
      .map((unitId) => ({
        unitId,
        received: n(p.get(unitId), 'dispatched'),
        respondedOnTime: n(p.get(unitId), 'responded_on_time'),
        closed: n(c.get(unitId), 'closed'),
        due: n(d.get(unitId), 'due'),
        closedOnTime: n(d.get(unitId), 'closed_on_time'),
        ...surveyCounts(s.get(unitId)),
        returned: n(r.get(unitId), 'returned'),
        overdue: n(o.get(unitId), 'overdue'),
      }))
      .map(({ unsatisfied: _u, resolved: _r, ...rest }) => rest);
  }

  async listUnits(): Promise<UnitRef[]> {
    const rows = await this.rows('SELECT id, code, name, active FROM handling_units ORDER BY code', {});
    return rows.map((r) => ({ id: Number(r.id), code: String(r.code), name: String(r.name), active: Boolean(Number(r.active)) }));
  }

  async categoryCounts(period: ReportPeriod): Promise<CategoryCount[]> {
    const rows = await this.rows(CATEGORY_COUNTS_SQL, { ...period });
    return rows.map((r) => ({ categoryId: Number(r.category_id), count: Number(r.n) }));
  }

  async listCategories(): Promise<CategoryRef[]> {
    const rows = await this.rows('SELECT id, parent_id, code, name FROM categories', {});
    return rows.map((r) => ({ id: Number(r.id), parentId: r.parent_id === null || r.parent_id === undefined ? null : Number(r.parent_id), code: String(r.code), name: String(r.name) }));
  }
}

/** QueueCounts from a row of snake_case sums (queueCountsSql, or the per-day aggregates). */
export function queueCountsOfRow(row: Row | undefined): QueueCounts {
  return {
    offered: n(row, 'offered'),
    answered: n(row, 'answered'),
    answeredWithinSl: n(row, 'answered_within_sl'),
    abandoned: n(row, 'abandoned'),
    shortAbandons: n(row, 'short_abandons'),
    waitSumMs: n(row, 'wait_sum_ms'),
    handled: n(row, 'handled'),
    handleSumMs: n(row, 'handle_sum_ms'),
  };
}

function surveyCounts(row: Row | undefined): { rated: number; satisfied: number; basically: number; unsatisfied: number; resolved: number } {
  const satisfied = n(row, 'satisfied');
  const basically = n(row, 'basically');
  const unsatisfied = n(row, 'unsatisfied');
  return { rated: satisfied + basically + unsatisfied, satisfied, basically, unsatisfied, resolved: n(row, 'resolved') };
}

/**
 * sql/reports/*.sql: each query as MySQL/MariaDB runs it, with what it computes. Parameters are named
 * (`:from`, `:to` the period [from, to) in UTC; `:scanFrom`, `:scanTo` the period widened by
 * CALL_SPAN_MS (one hour) on both sides; `:now`; `:slMs` the service-level threshold in ms;
 * `:minAbandonMs`; `:satisfied` … the LIKE patterns '%"satisfaction":"satisfied"%' etc.).
 */
export function reportSqlFiles(): Record<string, string> {
  const unit = group('t.current_unit_id');
  const files: Record<string, [string, string]> = {
    'queue-counts.sql': ['接通率, 15秒接通率, 放弃率, ASA, AHT: calls whose first `entered` queue event is in the period.', queueCountsSql('mysql')],
    'orders-received.sql': ['受理量: orders created in the period.', RECEIVED_SQL],
    'orders-closed.sql': ['办结量, 一次办结: last `closed` event in the period and not reopened since.', closedSql(false)],
    'orders-due.sql': ['应办结 (reply_by in the period), 办结, 按期办结 (closed by reply_by).', dueSql()],
    'orders-dispatched.sql': ['派单, 重复转办 (more than one dispatch), 响应 (signed by sign_by).', dispatchedSql(false)],
    'orders-surveys.sql': ['回访: the last survey of each order in the period: 满意, 基本满意, 不满意, 已解决.', surveysSql()],
    'units-closed.sql': ['Per unit holding the order: 办结量, 一次办结.', closedSql(true)],
    'units-due.sql': ['Per unit holding the order: 应办结, 办结, 按期办结.', dueSql(unit)],
    'units-dispatched.sql': ['Per unit dispatched to: 收到工单, 按时签收.', dispatchedSql(true)],
    'units-surveys.sql': ['Per unit of the survey event: 满意, 基本满意, 不满意, 已解决.', surveysSql(group('s.unit_id'))],
    'units-returned.sql': ['Per unit: 退单 events in the period.', RETURNED_BY_UNIT_SQL],
    'units-overdue.sql': ['Per unit: open orders red at :now.', OVERDUE_BY_UNIT_SQL],
    'category-counts.sql': ['Orders received in the period per category (run for the previous period too: 热点 rising).', CATEGORY_COUNTS_SQL],
  };
  return Object.fromEntries(
    Object.entries(files).map(([name, [what, sql]]) => [name, `-- ${what}\n-- Generated from src/db/report-queries.ts (npm run sql; test/db/reports.test.ts fails when this file drifts).\n${sql};\n`]),
  );
}
