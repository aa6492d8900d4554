/**
 * The reports on the wire: `/api/v1/reports/*` JSON (metrics/report-service.ts and the metrics it
 * returns; formulas in metrics/queue-metrics.ts, order-metrics.ts, unit-ranking.ts, category-trends.ts).
 * Rates are fractions 0..1, null when their denominator is 0 (no calls, no orders: no rate, not 0 %).
 * Dependency-free.
 */
import type { SelfServiceFiguresJson } from './ivr-reports.js';

/** Call rates. */
export interface CallRatesJson {
  /** 接通率 = answered ÷ offered. */
  readonly answerRate: number | null;
  /** 15秒接通率 = answeredWithinSl ÷ (offered − short abandons). Offered-not-answered calls stay in the denominator. */
  readonly serviceLevel: number | null;
  /** 放弃率 = abandoned ÷ offered. */
  readonly abandonRate: number | null;
  /** ASA (s): mean queue wait of answered calls. */
  readonly asaS: number | null;
  /** AHT (s): mean talk + wrap-up of answered calls whose wrap-up has ended. */
  readonly ahtS: number | null;
}

/** A period's call counts and rates (each call once, however many queues it passed through). */
export interface CallFiguresJson extends CallRatesJson {
  /** 呼入量: calls that asked for an agent. */
  readonly offered: number;
  readonly answered: number;
  /** Answered calls whose wait was within the service-level threshold. */
  readonly answeredWithinSl: number;
  readonly abandoned: number;
}

/** A period's work-order counts (what each means: metrics/order-metrics.ts). */
export interface OrderCountsJson {
  readonly received: number;
  readonly closed: number;
  readonly due: number;
  readonly dueClosed: number;
  readonly closedOnTime: number;
  readonly rated: number;
  readonly satisfied: number;
  readonly basically: number;
  readonly unsatisfied: number;
  readonly resolved: number;
  readonly dispatched: number;
  readonly respondedOnTime: number;
  readonly redispatched: number;
  readonly closedFirstTime: number;
}

export interface OrderRatesJson {
  /** 办结率 = dueClosed ÷ due. */
  readonly closureRate: number | null;
  /** 按期办结率 = closedOnTime ÷ due. */
  readonly onTimeClosureRate: number | null;
  /** 满意率 = (w满意 × satisfied + w基本满意 × basically) ÷ rated (weights default 1 and 1). */
  readonly satisfactionRate: number | null;
  /** 解决率 = resolved ÷ rated. */
  readonly resolutionRate: number | null;
  /** 响应率 = respondedOnTime ÷ dispatched. */
  readonly responseRate: number | null;
  /** 一次办结率 = closedFirstTime ÷ closed. */
  readonly firstTimeClosureRate: number | null;
  /** 重复转办率 = redispatched ÷ dispatched. */
  readonly redispatchRate: number | null;
}

export interface OrderFiguresJson extends OrderCountsJson, OrderRatesJson {}

/** `GET /reports/summary`: `from`, `to` ISO instants, `to` exclusive. */
export interface SummaryReportJson {
  readonly from: string;
  readonly to: string;
  readonly calls: CallFiguresJson;
  readonly orders: OrderFiguresJson;
  /** 自助服务完成率 and IVR 拦截率 (issue 12; formulas: metrics/ivr-containment.ts). */
  readonly ivr?: SelfServiceFiguresJson;
}

/** Weights of the unit ranking's composite score. */
export interface RankWeightsJson {
  readonly onTimeClosure: number;
  readonly satisfaction: number;
  readonly response: number;
}

export interface UnitReportRowJson {
  readonly unitId: number;
  readonly code: string;
  readonly name: string;
  readonly received: number;
  readonly closed: number;
  readonly due: number;
  readonly closedOnTime: number;
  readonly rated: number;
  readonly returned: number;
  readonly overdue: number;
  /** 按期办结率 = closedOnTime ÷ due. */
  readonly onTimeClosureRate: number | null;
  /** 满意率 = (w满意 × satisfied + w基本满意 × basically) ÷ rated. */
  readonly satisfactionRate: number | null;
  /** 响应率 = respondedOnTime ÷ received. */
  readonly responseRate: number | null;
  /** Composite score 0..100 (null: nothing to score on). */
  readonly score: number | null;
  /** 1 = best; equal scores share a rank; null when unscored. */
  readonly rank: number | null;
}

/** `GET /reports/units` (周通报 / 月排名). */
export interface UnitReportJson {
  readonly from: string;
  readonly to: string;
  /** When `overdue` (red) was read. */
  readonly asOf: string;
  readonly weights: RankWeightsJson;
  readonly items: UnitReportRowJson[];
}

export interface CategoryVolumeJson {
  readonly categoryId: number;
  readonly code: string;
  readonly name: string;
  /** Names from the top class down, e.g. `城乡建设 / 供水`. */
  readonly path: string;
  readonly count: number;
  readonly previous: number;
  readonly change: number;
  readonly changeRate: number | null;
}

/** Volumes by category (热点). */
export interface CategoryTrendsJson {
  /** Categories with orders in either period, the most orders first. */
  readonly leaves: CategoryVolumeJson[];
  /** The same per top class. */
  readonly tops: CategoryVolumeJson[];
  /** The categories rising most against the previous period of the same length. */
  readonly rising: CategoryVolumeJson[];
}

/** `GET /reports/categories`. */
export interface CategoryReportJson extends CategoryTrendsJson {
  readonly from: string;
  readonly to: string;
  readonly previous: { readonly from: string; readonly to: string };
}

/** One local day of the daily series: its call counts and rates (the summary's `calls` fields). */
export interface DailyRowJson extends CallFiguresJson {
  /** The local date in the centre's zone, `YYYY-MM-DD`. */
  readonly day: string;
  /** The day's part of the period [from, to): local midnights, or the period's own ends when it starts or ends inside a day. */
  readonly from: string;
  readonly to: string;
}

/** `GET /reports/daily`. */
export interface DailyReportJson {
  readonly from: string;
  readonly to: string;
  /** A row per local day the period touches, oldest first, days without calls included (counts 0, rates null). */
  readonly days: DailyRowJson[];
}
