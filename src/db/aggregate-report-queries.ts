import { QueryTypes, type Sequelize } from 'sequelize';
import type { OrderCounts } from '../metrics/order-metrics.js';
import type { QueueCounts } from '../metrics/queue-metrics.js';
import type { CategoryCount, CategoryRef, QueueCountOptions, ReportPeriod, ReportQueries, UnitOrderCounts, UnitRef } from '../metrics/report-queries.js';
import { toAppError } from '../shared/app-error.js';
import { OVERDUE_BY_UNIT_SQL, queueCountsOfRow } from './report-queries.js';
import type { ReportAggregates } from './report-aggregates.js';

type Row = Record<string, unknown>;
const n = (row: Row | Record<string, number> | undefined, column: string): number => Number(row?.[column] ?? 0);

/**
 * The reports' port read from the per-day aggregates (report_order_days, report_queue_days): a period
 * that starts and ends at the centre's midnights is a sum over its days' rows, whatever its length
 * (docs/bench-reports.md). A period that does not (a datetime in the query), or call thresholds that
 * are not whole seconds, is counted from the event log by `events` (db/report-queries.ts), the same
 * definitions; so is what the aggregates do not hold (units red now, the unit and category lists).
 */
export class AggregateReportQueries implements ReportQueries {
  constructor(
    private readonly sequelize: Sequelize,
    private readonly aggregates: ReportAggregates,
    private readonly events: ReportQueries,
  ) {}

  /** The period as local days [fromDay, toDay), or undefined when an end is not a local midnight. */
  wholeDays(period: ReportPeriod): { fromDay: string; toDay: string } | undefined {
    const fromDay = this.aggregates.dayOf(period.from.getTime());
    const toDay = this.aggregates.dayOf(period.to.getTime());
    if (this.aggregates.dayStart(fromDay).getTime() !== period.from.getTime() || this.aggregates.dayStart(toDay).getTime() !== period.to.getTime()) return undefined;
    return { fromDay, toDay };
  }

  async queueCounts(period: ReportPeriod, options: QueueCountOptions): Promise<QueueCounts> {
    const days = this.wholeDays(period);
    const thresholds = wholeSecondThresholds(options);
    if (days === undefined || thresholds === undefined) return this.events.queueCounts(period, options);
    const [row] = await this.read(() => this.aggregates.queueSums(days.fromDay, days.toDay, thresholds.slCase, thresholds.replacements, false));
    return queueCountsOfRow(row);
  }

  async queueCountsByDay(days: readonly ReportPeriod[], options: QueueCountOptions): Promise<QueueCounts[]> {
    const thresholds = wholeSecondThresholds(options);
    const whole = days.map((d) => this.wholeDays(d));
    const keys = whole.filter((d) => d !== undefined);
    const first = keys[0];
    const last = keys[keys.length - 1];
    const byDay = new Map<string, Row>();
    if (thresholds !== undefined && first !== undefined && last !== undefined) {
      const rows = await this.read(() => this.aggregates.queueSums(first.fromDay, last.toDay, thresholds.slCase, thresholds.replacements, true));
      for (const r of rows) byDay.set(String(r.day), r);
    }
    const out: QueueCounts[] = [];
    for (const [i, day] of days.entries()) {
      const key = whole[i];
      // One after the other: part days (a datetime end) are counted from the events.
      out.push(key === undefined || thresholds === undefined ? await this.events.queueCounts(day, options) : queueCountsOfRow(byDay.get(key.fromDay)));
    }
    return out;
  }

  async orderCounts(period: ReportPeriod): Promise<OrderCounts> {
    const days = this.wholeDays(period);
    if (days === undefined) return this.events.orderCounts(period);
    const c = (await this.read(() => this.aggregates.orderSums('all', days.fromDay, days.toDay))).get(0);
    return {
      received: n(c, 'received'),
      closed: n(c, 'closed'),
      closedFirstTime: n(c, 'closed_first_time'),
      due: n(c, 'due'),
      dueClosed: n(c, 'due_closed'),
      closedOnTime: n(c, 'closed_on_time'),
      dispatched: n(c, 'dispatched'),
      redispatched: n(c, 'redispatched'),
      respondedOnTime: n(c, 'responded_on_time'),
      rated: n(c, 'rated'),
      satisfied: n(c, 'satisfied'),
      basically: n(c, 'basically'),
      unsatisfied: n(c, 'unsatisfied'),
      resolved: n(c, 'resolved'),
    };
  }

  async unitOrderCounts(period: ReportPeriod, now: Date): Promise<UnitOrderCounts[]> {
    const days = this.wholeDays(period);
    if (days === undefined) return this.events.unitOrderCounts(period, now);
    const [sums, overdueRows] = await Promise.all([
      this.read(() => this.aggregates.orderSums('unit', days.fromDay, days.toDay)),
      this.read(() => this.sequelize.query<Row>(OVERDUE_BY_UNIT_SQL, { type: QueryTypes.SELECT, replacements: { now } })),
    ]);
    const overdue = new Map(overdueRows.filter((r) => r.unit_id !== null && r.unit_id !== undefined).map((r) => [Number(r.unit_id), n(r, 'overdue')]));
    // A unit with only zero rows (facts taken off again) has no counts, as the event-log queries give none.
    const units = [...new Set([...[...sums].filter(([, c]) => Object.values(c).some((v) => v !== 0)).map(([id]) => id), ...overdue.keys()])].sort((a, b) => a - b);
    return units.map((unitId) => {
      const c = sums.get(unitId);
      return {
        unitId,
        received: n(c, 'dispatched'),
        respondedOnTime: n(c, 'responded_on_time'),
        closed: n(c, 'closed'),
        due: n(c, 'due'),
        closedOnTime: n(c, 'closed_on_time'),
        rated: n(c, 'rated'),
        satisfied: n(c, 'satisfied'),
        basically: n(c, 'basically'),
        returned: n(c, 'returned'),
        overdue: overdue.get(unitId) ?? 0,
      };
    });
  }

  listUnits(): Promise<UnitRef[]> {
    return this.events.listUnits();
  }

  async categoryCounts(period: ReportPeriod): Promise<CategoryCount[]> {
    const days = this.wholeDays(period);
    if (days === undefined) return this.events.categoryCounts(period);
    const sums = await this.read(() => this.aggregates.orderSums('category', days.fromDay, days.toDay));
    return [...sums].map(([categoryId, c]) => ({ categoryId, count: n(c, 'received') })).filter((c) => c.count > 0);
  }

  listCategories(): Promise<CategoryRef[]> {
    return this.events.listCategories();
  }

  private async read<T>(query: () => Promise<T>): Promise<T> {
    try {
      return await query();
    } catch (err) {
      throw toAppError(err, 'DB_ERROR', 'report query failed');
    }
  }
}

/** The thresholds in whole seconds as SQL over `q.queue`, or undefined when one is not whole seconds. */
function wholeSecondThresholds(options: QueueCountOptions): { slCase: string; replacements: Record<string, unknown> } | undefined {
  const whole = (ms: number): boolean => Number.isInteger(ms / 1000) && ms >= 0;
  const queues = Object.entries(options.serviceLevelMsByQueue);
  if (!whole(options.serviceLevelMs) || !whole(options.excludeAbandonsUnderMs) || queues.some(([, ms]) => !whole(ms))) return undefined;
  const replacements: Record<string, unknown> = { slS: options.serviceLevelMs / 1000, minAbandonS: options.excludeAbandonsUnderMs / 1000 };
  queues.forEach(([q, ms], i) => {
    replacements[`slQueue${i}`] = q;
    replacements[`slQueueS${i}`] = ms / 1000;
  });
  const slCase = queues.length === 0 ? ':slS' : `CASE q.queue ${queues.map((_, i) => `WHEN :slQueue${i} THEN :slQueueS${i}`).join(' ')} ELSE :slS END`;
  return { slCase, replacements };
}
