import { Router } from 'express';
import { z } from 'zod';
import type { NoticeBoard } from '../notices/notice-board.js';
import { localDay, nextDay } from '../notices/notice-hits.js';
import { inForce, type Notice, type NoticeDayCount } from '../notices/notice.js';
import type { Clock } from '../shared/clock.js';
import type { NoticeJson, NoticeReportJson } from '../shared/wire/notices.js';
import { currentUser, ROLES, requireRole } from './auth-context.js';
import { idParams } from './path-params.js';
import { parseInput } from './parse-input.js';

export interface NoticeRoutesDeps {
  readonly board: NoticeBoard;
  readonly counts: { countsByDay(fromDay: string, toDay: string): Promise<NoticeDayCount[]> };
  readonly clock: Clock;
  /** The centre's zone: report days are its local days. */
  readonly timeZone: string;
}

export function toNoticeJson(n: Notice, now: number): NoticeJson {
  return {
    id: n.id,
    title: n.title,
    text: n.text,
    areas: n.areas,
    categoryIds: n.categoryIds,
    validFrom: new Date(n.validFrom).toISOString(),
    validTo: new Date(n.validTo).toISOString(),
    status: n.status,
    inForce: inForce(n, now),
    createdBy: n.createdBy,
    createdAt: new Date(n.createdAt).toISOString(),
    updatedAt: new Date(n.updatedAt).toISOString(),
    withdrawnAt: n.withdrawnAt === null ? null : new Date(n.withdrawnAt).toISOString(),
  };
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const day = z
  .string({ error: 'must be given once' })
  .regex(DAY, 'must be a date (YYYY-MM-DD)')
  .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d), 'must be a real date')
  .optional();
const MAX_REPORT_DAYS = 366;

const reportQuery = z
  .strictObject({ from: day, to: day })
  .superRefine((q, ctx) => {
    if (q.from === undefined || q.to === undefined) return;
    const days = (Date.parse(`${q.to}T00:00:00Z`) - Date.parse(`${q.from}T00:00:00Z`)) / 86_400_000;
    if (days <= 0) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be after from' });
    else if (days > MAX_REPORT_DAYS) ctx.addIssue({ code: 'custom', path: ['to'], message: `must be at most ${MAX_REPORT_DAYS} days after from` });
  });

/**
 * Notices (公告, issue 12) under /api/v1: `GET /notices` (newest 200) and `GET /notices/:id` for every
 * signed-in user (agents see what callers are told); `POST /notices` (201), `PATCH /notices/:id` and
 * `POST /notices/:id/withdraw` for supervisors and admins. `GET /reports/notices?from=&to=` (local days,
 * `to` exclusive, default today): calls that heard each notice and pressed 1, per notice per day.
 */
export function createNoticeRoutes(deps: NoticeRoutesDeps): Router {
  const router = Router();
  const supervisors = requireRole('supervisor', 'admin');
  const json = (n: Notice): NoticeJson => toNoticeJson(n, deps.clock.now());

  router.get('/notices', requireRole(...ROLES), async (_req, res) => {
    const body: { readonly items: readonly NoticeJson[] } = { items: (await deps.board.list()).map(json) };
    res.set('Cache-Control', 'no-store').json(body);
  });

  router.get('/notices/:id', requireRole(...ROLES), async (req, res) => {
    const { id } = parseInput(idParams, req.params, 'path');
    res.set('Cache-Control', 'no-store').json(json(await deps.board.get(id)));
  });

  router.post('/notices', supervisors, async (req, res) => {
    const created = await deps.board.publish(req.body, currentUser(res).id);
    res.status(201).location(`/api/v1/notices/${created.id}`).json(json(created));
  });

  router.patch('/notices/:id', supervisors, async (req, res) => {
    const { id } = parseInput(idParams, req.params, 'path');
    res.json(json(await deps.board.edit(id, req.body, currentUser(res).id)));
  });

  router.post('/notices/:id/withdraw', supervisors, async (req, res) => {
    const { id } = parseInput(idParams, req.params, 'path');
    res.json(json(await deps.board.withdraw(id, currentUser(res).id)));
  });

  router.get('/reports/notices', supervisors, async (req, res) => {
    const q = parseInput(reportQuery, req.query, 'query');
    const from = q.from ?? localDay(deps.clock.now(), deps.timeZone);
    const to = q.to ?? nextDay(q.from ?? from);
    const days = await deps.counts.countsByDay(from, to);
    const titles = new Map((await deps.board.list(1000)).map((n) => [n.id, n.title]));
    const totals = new Map<number, { heard: number; pressed: number }>();
    for (const d of days) {
      const t = totals.get(d.noticeId) ?? { heard: 0, pressed: 0 };
      totals.set(d.noticeId, { heard: t.heard + d.heard, pressed: t.pressed + d.pressed });
    }
    const notices = [...totals.entries()]
      .map(([id, t]) => ({ id, title: titles.get(id) ?? `#${id}`, ...t }))
      .sort((a, b) => b.pressed - a.pressed || b.heard - a.heard || a.id - b.id);
    const body: NoticeReportJson = { from, to, days, notices };
    res.set('Cache-Control', 'no-store').json(body);
  });

  return router;
}
