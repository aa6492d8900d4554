import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { isReportInstant } from '../metrics/report-period.js';
import type { PeriodQuery, ReportService } from '../metrics/report-service.js';
import { categoriesCsv, dailyCsv, summaryCsv, unitsCsv } from '../metrics/report-tables.js';
import { requireRole } from './auth-context.js';
import { parseInput } from './parse-input.js';

export interface ReportRoutesDeps {
  readonly reports: ReportService;
}

const instant = z
  .string({ error: 'must be given once' })
  .refine(isReportInstant, 'must be a date (YYYY-MM-DD) or an ISO datetime (YYYY-MM-DDTHH:MM[:SS][Z|±HH:MM])')
  .optional();

const periodQuery = z.strictObject({
  from: instant,
  to: instant,
  format: z.enum(['json', 'csv'], { error: 'must be json or csv' }).optional(),
});

/** CSV when asked by `?format=csv` or when the client prefers text/csv (Accept), JSON otherwise. */
function wantsCsv(req: Request, format: 'json' | 'csv' | undefined): boolean {
  if (format !== undefined) return format === 'csv';
  return req.accepts(['application/json', 'text/csv']) === 'text/csv';
}

function sendCsv(res: Response, name: string, from: string, csv: string): void {
  res
    .status(200)
    .set('Content-Type', 'text/csv; charset=utf-8')
    .set('Content-Disposition', `attachment; filename="${name}-${from.replace(/[-:.]/g, '')}.csv"`)
    .set('Cache-Control', 'no-store')
    .send(csv);
}

/**
 * `/reports/*` under /api/v1 for supervisors and admins: `summary` (the day's / week's numbers),
 * `units` (承办单位 ranking), `categories` (volumes and rising categories) and `daily` (the call
 * metrics per local day, at most 366 days: the trend of 接通率 and 15秒接通率). `?from=&to=` are ISO dates
 * or datetimes, `to` exclusive, default today in the centre's zone; JSON, or CSV (UTF-8 with BOM) with
 * `Accept: text/csv` or `?format=csv`.
 */
export function createReportRoutes(deps: ReportRoutesDeps): Router {
  const router = Router();
  const supervisors = requireRole('supervisor', 'admin');
  const parse = (req: Request): { period: PeriodQuery; csv: boolean } => {
    const q = parseInput(periodQuery, req.query, 'query');
    return { period: { from: q.from, to: q.to }, csv: wantsCsv(req, q.format) };
  };

  router.get('/reports/summary', supervisors, async (req, res) => {
    const { period, csv } = parse(req);
    const report = await deps.reports.summary(period);
    if (csv) sendCsv(res, 'summary', report.from, summaryCsv(report));
    else res.set('Cache-Control', 'no-store').json(report);
  });

  router.get('/reports/units', supervisors, async (req, res) => {
    const { period, csv } = parse(req);
    const report = await deps.reports.units(period);
    if (csv) sendCsv(res, 'units', report.from, unitsCsv(report));
    else res.set('Cache-Control', 'no-store').json(report);
  });

  router.get('/reports/categories', supervisors, async (req, res) => {
    const { period, csv } = parse(req);
    const report = await deps.reports.categories(period);
    if (csv) sendCsv(res, 'categories', report.from, categoriesCsv(report));
    else res.set('Cache-Control', 'no-store').json(report);
  });

  router.get('/reports/daily', supervisors, async (req, res) => {
    const { period, csv } = parse(req);
    const report = await deps.reports.daily(period);
    if (csv) sendCsv(res, 'daily', report.from, dailyCsv(report));
    else res.set('Cache-Control', 'no-store').json(report);
  });

  return router;
}
