/**
 * The reports as `/api/v1/reports/*` answers them (@wire/reports = src/shared/wire/reports.ts, the
 * shapes metrics/report-service.ts returns). Rates are fractions 0..1, null when their denominator is
 * 0 (no calls, no orders: no rate, not 0 %).
 */
import type {
  CategoryReportJson,
  CategoryVolumeJson,
  DailyReportJson,
  DailyRowJson,
  SummaryReportJson,
  UnitReportJson,
  UnitReportRowJson,
} from '@wire/reports';
import type { DirectReportJson, IvrReportJson } from '@wire/ivr-reports';
import { api } from './http';

/** A period as the query string gives it: local dates (the centre's midnights), `to` exclusive. */
export interface ReportQuery {
  readonly from: string;
  readonly to: string;
}

export type SummaryReport = SummaryReportJson;
export type UnitReportRow = UnitReportRowJson;
export type UnitReport = UnitReportJson;
export type CategoryVolume = CategoryVolumeJson;
export type CategoryReport = CategoryReportJson;
export type DailyRow = DailyRowJson;
export type DailyReport = DailyReportJson;

const q = (period: ReportQuery) => ({ from: period.from, to: period.to });

export const getSummary = (period: ReportQuery, signal?: AbortSignal) => api.get<SummaryReport>('/reports/summary', q(period), signal);
export const getUnitRanking = (period: ReportQuery, signal?: AbortSignal) => api.get<UnitReport>('/reports/units', q(period), signal);
export const getCategories = (period: ReportQuery, signal?: AbortSignal) => api.get<CategoryReport>('/reports/categories', q(period), signal);
/** At most 366 days (else 400 naming `to`). */
export const getDaily = (period: ReportQuery, signal?: AbortSignal) => api.get<DailyReport>('/reports/daily', q(period), signal);

export type IvrReport = IvrReportJson;
export type DirectReport = DirectReportJson;
/** IVR containment per node of the inbound flow in service, 自助服务完成率 and 拦截率. */
export const getIvrReport = (period: ReportQuery, signal?: AbortSignal) => api.get<IvrReport>('/reports/ivr', q(period), signal);
/** 直办率 per category. */
export const getDirectReport = (period: ReportQuery, signal?: AbortSignal) => api.get<DirectReport>('/reports/direct', q(period), signal);
