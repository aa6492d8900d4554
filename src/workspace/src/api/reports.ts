/**
 * The reports as `/api/v1/reports/*` answers them (src/metrics/report-service.ts and the metrics it
 * returns), kept by hand beside the server's types: the browser build must not pull server modules in.
 * Rates are fractions 0..1, null when their denominator is 0 (no calls, no orders: no rate, not 0 %).
 */
import { api } from './http';

/** A period as the query string gives it: local dates (the centre's midnights), `to` exclusive. */
export interface ReportQuery {
  readonly from: string;
  readonly to: string;
}

export interface CallFigures {
  /** 呼入量: calls that asked for an agent. */
  readonly offered: number;
  readonly answered: number;
  readonly answeredWithinSl: number;
  readonly abandoned: number;
  /** 接通率 = answered ÷ offered. */
  readonly answerRate: number | null;
  /** 15秒接通率. */
  readonly serviceLevel: number | null;
  readonly abandonRate: number | null;
  /** Mean queue wait of answered calls (s). */
  readonly asaS: number | null;
  /** Mean talk + wrap-up (s). */
  readonly ahtS: number | null;
}

export interface OrderFigures {
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
  readonly closureRate: number | null;
  readonly onTimeClosureRate: number | null;
  readonly satisfactionRate: number | null;
  readonly resolutionRate: number | null;
  readonly responseRate: number | null;
  readonly firstTimeClosureRate: number | null;
  readonly redispatchRate: number | null;
}

export interface SummaryReport {
  readonly from: string;
  readonly to: string;
  readonly calls: CallFigures;
  readonly orders: OrderFigures;
}

export interface UnitReportRow {
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
  readonly onTimeClosureRate: number | null;
  readonly satisfactionRate: number | null;
  readonly responseRate: number | null;
  /** Composite score 0..100 (null: nothing to score on). */
  readonly score: number | null;
  /** 1 = best; equal scores share a rank; null when unscored. */
  readonly rank: number | null;
}

export interface UnitReport {
  readonly from: string;
  readonly to: string;
  readonly asOf: string;
  readonly weights: { readonly onTimeClosure: number; readonly satisfaction: number; readonly response: number };
  readonly items: UnitReportRow[];
}

export interface CategoryVolume {
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

export interface CategoryReport {
  readonly from: string;
  readonly to: string;
  readonly previous: { readonly from: string; readonly to: string };
  /** Categories with orders in either period, the most orders first. */
  readonly leaves: CategoryVolume[];
  /** The same per top class. */
  readonly tops: CategoryVolume[];
  /** The categories rising most against the previous period of the same length. */
  readonly rising: CategoryVolume[];
}

export interface DailyRow extends CallFigures {
  /** The local date, `YYYY-MM-DD`. */
  readonly day: string;
  readonly from: string;
  readonly to: string;
}

export interface DailyReport {
  readonly from: string;
  readonly to: string;
  readonly days: DailyRow[];
}

const q = (period: ReportQuery) => ({ from: period.from, to: period.to });

export const getSummary = (period: ReportQuery, signal?: AbortSignal) => api.get<SummaryReport>('/reports/summary', q(period), signal);
export const getUnitRanking = (period: ReportQuery, signal?: AbortSignal) => api.get<UnitReport>('/reports/units', q(period), signal);
export const getCategories = (period: ReportQuery, signal?: AbortSignal) => api.get<CategoryReport>('/reports/categories', q(period), signal);
/** At most 366 days (else 400 naming `to`). */
export const getDaily = (period: ReportQuery, signal?: AbortSignal) => api.get<DailyReport>('/reports/daily', q(period), signal);
