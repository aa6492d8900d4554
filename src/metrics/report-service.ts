import { ValidationError } from '../shared/app-error.js';
import type { Clock } from '../shared/clock.js';
import type { CategoryReportJson, DailyReportJson, DailyRowJson, OrderFiguresJson, SummaryReportJson, UnitReportJson } from '../shared/wire/reports.js';
import { categoryTrends, DEFAULT_RISING_TOP } from './category-trends.js';
import { DEFAULT_SATISFACTION_WEIGHTS, orderRates, type SatisfactionWeights } from './order-metrics.js';
import type { SelfServiceFigures } from './ivr-containment.js';
import { queueMetricsOf, type QueueCounts } from './queue-metrics.js';
import { previousPeriod, resolvePeriod, startOfLocalDay } from './report-period.js';
import type { QueueCountOptions, ReportPeriod, ReportQueries } from './report-queries.js';
import { DEFAULT_RANK_WEIGHTS, rankUnits, type RankWeights } from './unit-ranking.js';

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
  /** 自助服务完成率 and IVR 拦截率 of a period (metrics/containment-reports.ts); absent, the summary has no `ivr`. */
  readonly selfService?: (period: ReportPeriod) => Promise<SelfServiceFigures>;
}

/** A report's period as the query string gives it (validated as strings by the route). */
export interface PeriodQuery {
  readonly from?: string | undefined;
  readonly to?: string | undefined;
}

export type OrderSummary = OrderFiguresJson;
/** The reports' JSON (src/shared/wire/reports.ts). */
export type SummaryReport = SummaryReportJson;
export type UnitReport = UnitReportJson;
export type CategoryReport = CategoryReportJson;

const NO_CALL_COUNTS: QueueCounts = { offered: 0, answered: 0, answeredWithinSl: 0, abandoned: 0, shortAbandons: 0, waitSumMs: 0, handled: 0, handleSumMs: 0 };

/** The most days a daily series covers (a year, leap or not). */
export const MAX_DAILY_DAYS = 366;

export type DailyRow = DailyRowJson;
export type DailyReport = DailyReportJson;

/** The daily / weekly / monthly reports (shared/DOMAIN.md "Metrics"), every number from stored rows. */
export class ReportService {
  private readonly options: ReportOptions;

  constructor(private readonly deps: ReportServiceDeps) {
    this.options = deps.options ?? {};
  }

  period(query: PeriodQuery): ReportPeriod {
    return resolvePeriod(query, this.deps.clock.now(), this.deps.timeZone);
  }

  private queueCountOptions(): QueueCountOptions {
    const byQueue = Object.fromEntries(Object.entries(this.options.serviceLevelSByQueue ?? {}).map(([q, s]) => [q, s * 1000]));
    return {
      serviceLevelMs: (this.deps.serviceLevelS ?? 15) * 1000,
      serviceLevelMsByQueue: byQueue,
      excludeAbandonsUnderMs: (this.options.excludeAbandonsUnderS ?? 0) * 1000,
    };
  }

  async summary(query: PeriodQuery): Promise<SummaryReport> {
    const period = this.period(query);
    const [calls, orders] = await Promise.all([this.deps.queries.queueCounts(period, this.queueCountOptions()), this.deps.queries.orderCounts(period)]);
    const ivr = await this.deps.selfService?.(period);
    return {
      ...iso(period),
      calls: queueMetricsOf(calls),
      orders: { ...orders, ...orderRates(orders, this.options.satisfactionWeights ?? DEFAULT_SATISFACTION_WEIGHTS) },
      ...(ivr === undefined ? {} : { ivr }),
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

  /**
   * The call metrics per local day (the trend of 接通率 and 15秒接通率): the period cut at the centre's
   * midnights, each day counted like a one-day summary (whole days read from the per-day aggregates in
   * one query). At most MAX_DAILY_DAYS days, else a ValidationError naming `to`.
   */
  async daily(query: PeriodQuery): Promise<DailyReport> {
    const period = this.period(query);
    const days = localDays(period, this.deps.timeZone);
    if (days.length > MAX_DAILY_DAYS) {
      throw new ValidationError(`invalid query: the daily series covers ${days.length} days, more than ${MAX_DAILY_DAYS}`, [
        { path: 'to', message: `must be at most ${MAX_DAILY_DAYS} days after from for the daily series (it touches ${days.length} days)` },
      ]);
    }
    const counts = await this.deps.queries.queueCountsByDay(days, this.queueCountOptions());
    const rows: DailyRow[] = days.map((day, i) => ({ day: localDate(day.from.getTime(), this.deps.timeZone), ...iso(day), ...queueMetricsOf(counts[i] ?? NO_CALL_COUNTS) }));
    return { ...iso(period), days: rows };
  }
}

/** The period cut at local midnights in `timeZone` (the first and last pieces may be part days). */
export function localDays(period: ReportPeriod, timeZone: string): ReportPeriod[] {
  const days: ReportPeriod[] = [];
  const end = period.to.getTime();
  let start = period.from.getTime();
  let midnight = startOfLocalDay(start, timeZone);
  while (start < end) {
    // Most days are 24 h; otherwise (daylight saving) 36 h after a midnight is inside the next day.
    midnight = isLocalMidnight(midnight + DAY_MS, timeZone) ? midnight + DAY_MS : startOfLocalDay(midnight + 36 * 3_600_000, timeZone);
    const to = Math.min(midnight, end);
    days.push({ from: new Date(start), to: new Date(to) });
    start = to;
    // Far more days than any allowed series: stop counting, the caller refuses it anyway.
    if (days.length > MAX_DAILY_DAYS + 1) break;
  }
  return days;
}

const DAY_MS = 86_400_000;
const dateFormats = new Map<string, Intl.DateTimeFormat>();
const timeFormats = new Map<string, Intl.DateTimeFormat>();

function cachedFormat(cache: Map<string, Intl.DateTimeFormat>, timeZone: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  let format = cache.get(timeZone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-US', { timeZone, ...options });
    cache.set(timeZone, format);
  }
  return format;
}

function isLocalMidnight(instant: number, timeZone: string): boolean {
  const text = cachedFormat(timeFormats, timeZone, { hourCycle: 'h23', hour: '2-digit', minute: '2-digit', second: '2-digit' }).format(new Date(instant));
  return instant % 1000 === 0 && text === '00:00:00';
}

/** `YYYY-MM-DD` of `instant` in `timeZone`. */
export function localDate(instant: number, timeZone: string): string {
  const parts = cachedFormat(dateFormats, timeZone, { year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(new Date(instant));
  const get = (type: string): string => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')}`;
}

function iso(period: ReportPeriod): { from: string; to: string } {
  return { from: period.from.toISOString(), to: period.to.toISOString() };
}
