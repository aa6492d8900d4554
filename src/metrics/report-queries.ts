import type { QueueCounts } from './queue-metrics.js';
import type { OrderCounts } from './order-metrics.js';

/** A period [from, to): `at >= from AND at < to`. */
export interface ReportPeriod {
  readonly from: Date;
  readonly to: Date;
}

export interface QueueCountOptions {
  /** The default service-level threshold (ms). */
  readonly serviceLevelMs: number;
  /** Thresholds (ms) of queues that have their own, by the queue a call was answered in. */
  readonly serviceLevelMsByQueue: Readonly<Record<string, number>>;
  /** Abandons shorter than this are `shortAbandons` (0: none). */
  readonly excludeAbandonsUnderMs: number;
}

/**
 * One handling unit's counts. The unit is: for received and respondedOnTime, the unit of the `dispatched`
 * (and `signed`) event; for returned, the unit of the `returned` event; for surveys, the unit of the
 * `surveyed` event; for closed, due, closedOnTime and overdue, the unit holding the order (current_unit_id).
 */
export interface UnitOrderCounts {
  readonly unitId: number;
  /** Orders dispatched to the unit in the period (re-dispatches to it included, 重办 not). */
  readonly received: number;
  /** Of those, orders the unit signed at or before tickets.sign_by. */
  readonly respondedOnTime: number;
  readonly closed: number;
  readonly due: number;
  readonly closedOnTime: number;
  readonly rated: number;
  readonly satisfied: number;
  readonly basically: number;
  /** `returned` events (退单) of the unit in the period. */
  readonly returned: number;
  /** Red now: open orders the unit holds whose running deadline (sign_by while dispatched, reply_by while signed / in progress) has passed. */
  readonly overdue: number;
}

export interface UnitRef {
  readonly id: number;
  readonly code: string;
  readonly name: string;
  readonly active: boolean;
}

export interface CategoryRef {
  readonly id: number;
  readonly parentId: number | null;
  readonly code: string;
  readonly name: string;
}

export interface CategoryCount {
  readonly categoryId: number;
  /** Orders received (created_at in the period) filed under the category. */
  readonly count: number;
}

/**
 * What the reports read; db/report-queries.ts implements it with aggregate SQL (GROUP BY, CASE) so no
 * report ever loads the rows of its period. sql/reports/*.sql are the same queries for DBAs.
 */
export interface ReportQueries {
  /** Calls whose first `entered` queue event is in the period, with every queue event of theirs (even after `to`). */
  queueCounts(period: ReportPeriod, options: QueueCountOptions): Promise<QueueCounts>;
  /** queueCounts of each of `days` (the per-day trend), in their order. */
  queueCountsByDay(days: readonly ReportPeriod[], options: QueueCountOptions): Promise<QueueCounts[]>;
  /** Centre-wide order counts; each count's period rule is documented on OrderCounts. */
  orderCounts(period: ReportPeriod): Promise<OrderCounts>;
  /** Per unit that has any count; `now` decides what is red. */
  unitOrderCounts(period: ReportPeriod, now: Date): Promise<UnitOrderCounts[]>;
  listUnits(): Promise<UnitRef[]>;
  /** Orders received in the period per category they are filed under (categories with none are left out). */
  categoryCounts(period: ReportPeriod): Promise<CategoryCount[]>;
  listCategories(): Promise<CategoryRef[]>;
}
