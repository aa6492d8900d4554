import { Router } from 'express';
import { z } from 'zod';
import type { ContainmentReports } from '../metrics/containment-reports.js';
import { isReportInstant } from '../metrics/report-period.js';
import type { DirectReportJson, IvrReportJson } from '../shared/wire/ivr-reports.js';
import { requireRole } from './auth-context.js';
import { parseInput } from './parse-input.js';

export interface ContainmentReportRoutesDeps {
  readonly reports: ContainmentReports;
}

const instant = z
  .string({ error: 'must be given once' })
  .refine(isReportInstant, 'must be a date (YYYY-MM-DD) or an ISO datetime (YYYY-MM-DDTHH:MM[:SS][Z|±HH:MM])')
  .optional();

const ivrQuery = z.strictObject({
  from: instant,
  to: instant,
  flow: z
    .string({ error: 'must be given once' })
    .regex(/^[A-Za-z0-9_-]{1,64}$/, "must be a flow's name: 1 to 64 letters, digits, - or _")
    .optional(),
});
const directQuery = z.strictObject({ from: instant, to: instant });

/**
 * Issue 12's measures under /api/v1, for supervisors and admins (`?from=&to=` as the other reports:
 * ISO dates or datetimes, `to` exclusive, default today in the centre's zone):
 * - `GET /reports/ivr?flow=`: per node of an IVR flow (default the inbound flow in service) how many
 *   calls reached it, left there, went on to an agent queue, completed a self-service, were ended by
 *   the flow; with the flow's 自助服务完成率 and 拦截率 (metrics/ivr-containment.ts).
 * - `GET /reports/direct`: 直办率 per category (metrics/direct-rate.ts).
 */
export function createContainmentReportRoutes(deps: ContainmentReportRoutesDeps): Router {
  const router = Router();
  const supervisors = requireRole('supervisor', 'admin');

  router.get('/reports/ivr', supervisors, async (req, res) => {
    const q = parseInput(ivrQuery, req.query, 'query');
    const body: IvrReportJson = await deps.reports.ivr(q);
    res.set('Cache-Control', 'no-store').json(body);
  });

  router.get('/reports/direct', supervisors, async (req, res) => {
    const q = parseInput(directQuery, req.query, 'query');
    const body: DirectReportJson = await deps.reports.direct(q);
    res.set('Cache-Control', 'no-store').json(body);
  });

  return router;
}
