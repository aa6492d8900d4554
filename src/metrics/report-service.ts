import type { Clock } from '../shared/clock.js';
import { categoryTrends, DEFAULT_RISING_TOP, type CategoryVolume } from './category-trends.js';
import { DEFAULT_SATISFACTION_WEIGHTS, orderRates, type OrderCounts, type OrderRates, type SatisfactionWeights } from './order-metrics.js';
import { queueMetricsOf, type QueueMetrics } from './queue-metrics.js';
import { previousPeriod, resolvePeriod } from './report-period.js';
import type { ReportPeriod, ReportQueries } from './report-queries.js';
import { DEFAULT_RANK_WEIGHTS, rankUnits, type RankWeights, type UnitReportRow } from './unit-ranking.js';

export interface ReportOptions {
  /** Queues with their own service-level threshold (s), by name (from the queue definitions). */
  readonly serviceLevelSByQueue?: Readonly<Record<string, number>>;
  /** Abandons under this many seconds leave the 15秒接通率 denominator (DOMAIN.md allows 5; default 0 = none). */
  readonly excludeAbandonsUnderS?: number;
  /** 满意率 weights of 满意 and 基本满意 (default 1 and 1). */
  readonly satisfactionWeights?: SatisfactionWeights;
  /** Unit ranking weights (default on-time closure 0.4, satisfaction 0.4, response 0.2). */
  readonly rankWeights?: RankWeights;
  /** How many rising categories (default 10). */
  readonly risingTop?: number;
}

export interface ReportServiceDeps {
  readonly queries: ReportQueries;
  readonly clock: Clock;
  /** The centre's zone (config TZ): dates in the query are midnights there. */
  readonly timeZone: string;
  /** The default service-level threshold in seconds (the queue definition's serviceLevelS; GB/T 33358-2016: 15). */
  readonly serviceLevelS?: number;
  readonly options?: ReportOptions;
}

/** A report's period as the query string gives it (validated as strings by the route). */
export interface PeriodQuery {
  readonly from?: string | undefined;
  readonly to?: string | undefined;
}

export type OrderSummary = OrderCounts & OrderRates;

export interface SummaryReport {
  readonly from: string;
  readonly to: string;
  readonly calls: QueueMetrics;
  readonly orders: OrderSummary;
}

export interface UnitReport {
  readonly from: string;
  readonly to: string;
  /** When `overdue` (red) was read. */
  readonly asOf: string;
  readonly weights: RankWeights;
  readonly items: UnitReportRow[];
}

export interface CategoryReport {
  readonly from: string;
  readonly to: string;
  readonly previous: { readonly from: string; readonly to: string };
  readonly leaves: CategoryVolume[];
  readonly tops: CategoryVolume[];
  readonly rising: CategoryVolume[];
}

/** The daily / weekly / monthly reports (shared/DOMAIN.md "Metrics"), every number from stored rows. */
export class ReportService {
  private readonly options: ReportOptions;

  constructor(private readonly deps: ReportServiceDeps) {
    this.options = deps.options ?? {};
  }

  period(query: PeriodQuery): ReportPeriod {
    return resolvePeriod(query, this.deps.clock.now(), this.deps.timeZone);
  }

  async summary(query: PeriodQuery): Promise<SummaryReport> {
    const period = this.period(query);
    const byQueue = Object.fromEntries(Object.entries(this.options.serviceLevelSByQueue ?? {}).map(([q, s]) => [q, s * 1000]));
    const [calls, orders] = await Promise.all([
      this.deps.queries.queueCounts(period, {
        serviceLevelMs: (this.deps.serviceLevelS ?? 15) * 1000,
        serviceLevelMsByQueue: byQueue,
        excludeAbandonsUnderMs: (this.options.excludeAbandonsUnderS ?? 0) * 1000,
      }),
      this.deps.queries.orderCounts(period),
    ]);
    return {
      ...iso(period),
      calls: queueMetricsOf(calls),
      orders: { ...orders, ...orderRates(orders, this.options.satisfactionWeights ?? DEFAULT_SATISFACTION_WEIGHTS) },
    };
  }

  async units(query: PeriodQuery): Promise<UnitReport> {
    const period = this.period(query);
    const now = new Date(this.deps.clock.now());
    const [units, counts] = await Promise.all([this.deps.queries.listUnits(), this.deps.queries.unitOrderCounts(period, now)]);
    const weights = this.options.rankWeights ?? DEFAULT_RANK_WEIGHTS;
    return {
      ...iso(period),
      asOf: now.toISOString(),
      weights,
      items: rankUnits(units, counts, { weights, satisfactionWeights: this.options.satisfactionWeights ?? DEFAULT_SATISFACTION_WEIGHTS }),
    };
  }

  async categories(query: PeriodQuery): Promise<CategoryReport> {
    const period = this.period(query);
    const before = previousPeriod(period);
    const [categories, current, previous] = await Promise.all([this.deps.queries.listCategories(), this.deps.queries.categoryCounts(period), this.deps.queries.categoryCounts(before)]);
    return { ...iso(period), previous: iso(before), ...categoryTrends(categories, current, previous, this.options.risingTop ?? DEFAULT_RISING_TOP) };
  }
}

function iso(period: ReportPeriod): { from: string; to: string } {
  return { from: period.from.toISOString(), to: period.to.toISOString() };
}
