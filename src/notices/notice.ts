import { z } from 'zod';
import type { NoticeStatus } from '../shared/wire/notices.js';

/** A notice (公告) as stored. Times are epoch ms (UTC). */
export interface Notice {
  readonly id: number;
  readonly title: string;
  readonly text: string;
  readonly areas: readonly string[];
  readonly categoryIds: readonly number[];
  readonly validFrom: number;
  readonly validTo: number;
  readonly status: NoticeStatus;
  readonly createdBy: number;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly withdrawnAt: number | null;
}

/** Longest title and text: the IVR reads both, and a caller should not wait a minute for the menu. */
export const NOTICE_LIMITS = { title: 60, text: 300, areas: 20, area: 40, categories: 20 } as const;

/** Longest a notice may stay in force: a notice that runs for months is a knowledge-base article. */
export const MAX_NOTICE_DAYS = 90;

const instant = z.iso.datetime({ offset: true, error: 'must be an ISO datetime, e.g. 2026-12-03T08:00:00+08:00' }).transform((s) => Date.parse(s));

/** C0 controls and DEL (line breaks included), built from a string so the source holds no control character. */
const CONTROL = new RegExp('[' + String.fromCharCode(0) + '-' + String.fromCharCode(0x1f) + String.fromCharCode(0x7f) + ']');

/** Speakable text: no control characters and no `{{` (nothing is a template here, but keep it plain). */
const spoken = (max: number): z.ZodString =>
  z
    .string({ error: 'must be text' })
    .trim()
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`)
    .refine((s) => !CONTROL.test(s), 'must not contain control characters or line breaks');

const fields = {
  title: spoken(NOTICE_LIMITS.title),
  text: spoken(NOTICE_LIMITS.text),
  areas: z.array(spoken(NOTICE_LIMITS.area), { error: 'must be a list of place names' }).max(NOTICE_LIMITS.areas, `must list at most ${NOTICE_LIMITS.areas} areas`),
  categoryIds: z
    .array(z.number({ error: 'must be a category id' }).int('must be a category id').positive('must be a category id'), { error: 'must be a list of category ids' })
    .max(NOTICE_LIMITS.categories, `must list at most ${NOTICE_LIMITS.categories} categories`),
  validFrom: instant,
  validTo: instant,
};

/** The window must be forwards and at most MAX_NOTICE_DAYS long. */
function checkWindow(n: { validFrom?: number | undefined; validTo?: number | undefined }, ctx: z.RefinementCtx): void {
  if (n.validFrom === undefined || n.validTo === undefined) return;
  if (n.validTo <= n.validFrom) ctx.addIssue({ code: 'custom', path: ['validTo'], message: 'must be after validFrom' });
  else if (n.validTo - n.validFrom > MAX_NOTICE_DAYS * 86_400_000) ctx.addIssue({ code: 'custom', path: ['validTo'], message: `must be at most ${MAX_NOTICE_DAYS} days after validFrom` });
}

/** POST /notices. */
export const newNoticeSchema = z
  .strictObject({ ...fields, areas: fields.areas.default([]), categoryIds: fields.categoryIds.default([]) })
  .superRefine(checkWindow);
export type NewNoticeInput = z.output<typeof newNoticeSchema>;

/** PATCH /notices/:id: any field; the window is checked against the stored one by the service. */
export const noticePatchSchema = z
  .strictObject({
    title: fields.title.optional(),
    text: fields.text.optional(),
    areas: fields.areas.optional(),
    categoryIds: fields.categoryIds.optional(),
    validFrom: fields.validFrom.optional(),
    validTo: fields.validTo.optional(),
  })
  .refine((p) => Object.keys(p).length > 0, 'must change at least one field');
export type NoticePatchInput = z.output<typeof noticePatchSchema>;

/** What is written for a new notice. */
export interface NewNotice {
  readonly title: string;
  readonly text: string;
  readonly areas: readonly string[];
  readonly categoryIds: readonly number[];
  readonly validFrom: number;
  readonly validTo: number;
  readonly createdBy: number;
}

export type NoticeChanges = Partial<Pick<Notice, 'title' | 'text' | 'areas' | 'categoryIds' | 'validFrom' | 'validTo' | 'status' | 'withdrawnAt'>>;

/** One call that heard a notice (and maybe pressed 1): one row per call and notice. */
export interface NoticeHit {
  /** Unique per call and notice: a replayed write stores it once. */
  readonly key: string;
  readonly noticeId: number;
  readonly callId: string;
  /** `YYYY-MM-DD` in the centre's time zone (counts are per local day). */
  readonly day: string;
  readonly at: number;
  readonly pressed: boolean;
}

export interface NoticeDayCount {
  readonly noticeId: number;
  readonly day: string;
  readonly heard: number;
  readonly pressed: number;
}

/** The port src/db implements. */
export interface NoticeRepository {
  create(notice: NewNotice, now: number): Promise<Notice>;
  get(id: number): Promise<Notice | undefined>;
  update(id: number, changes: NoticeChanges, now: number): Promise<Notice>;
  /** Every notice not yet over at `now` (validTo > now), published or withdrawn, newest first. */
  listCurrent(now: number): Promise<Notice[]>;
  /** Notices newest first, at most `limit`. */
  list(limit: number): Promise<Notice[]>;
  /** Calls per notice per local day, `fromDay` ≤ day < `toDay` (both `YYYY-MM-DD`). */
  countsByDay(fromDay: string, toDay: string): Promise<NoticeDayCount[]>;
}

/** True when callers hear it at `at`. */
export function inForce(n: Pick<Notice, 'status' | 'validFrom' | 'validTo'>, at: number): boolean {
  return n.status === 'active' && n.validFrom <= at && at < n.validTo;
}

/** What the IVR says for a notice: title and text as one utterance. */
export function spokenText(n: Pick<Notice, 'title' | 'text'>): string {
  const title = /[。!?!?.]$/.test(n.title) ? n.title : `${n.title}。`;
  return `${title}${n.text}`;
}
