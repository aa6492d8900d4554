import { isIP } from 'node:net';
import { z } from 'zod';
import { DialPlan } from '../dialer/dial-plan.js';
import { UNIT_KINDS, type UnitKind } from './catalog.js';
import { booleanField, codeField, formError, idField, keyOrLabel, phoneField, requiredText, wholeNumber } from './field-schemas.js';

/**
 * A SIP URI whose host is an IP literal (RFC 3261 §19.1.1; IPv6 in brackets, RFC 5118 §4.1):
 * supervision calls go to it directly, without DNS. E.g. `sip:8001@192.168.10.21:5060`.
 */
export const sipUriField = z
  .string({ error: 'must be text' })
  .trim()
  .refine((uri) => {
    const m = /^sips?:[^@\s]+@(\[[0-9A-Fa-f:.]+\]|[0-9.]+)(?::(\d{1,5}))?(?:;\S*)?$/.exec(uri);
    if (!m) return false;
    const host = (m[1] ?? '').replace(/^\[|\]$/g, '');
    const port = m[2] === undefined ? 5060 : Number(m[2]);
    return isIP(host) !== 0 && port >= 1 && port <= 65535;
  }, 'must be a SIP URI with an IP address, such as sip:8001@192.168.10.21:5060');

/** The default dial plan (DIAL_PLAN_ALLOW/DENY defaults): the calls still pass the configured one. */
const defaultDialPlan = DialPlan.parse();

/**
 * A liaison's SIP URI: as sipUriField, and its user part, when a number, one the dial plan lets
 * a supervision call reach (issue 9: `sip:+19005550199@<trunk>` would dial the trunk).
 */
export const liaisonSipUriField = sipUriField.superRefine((uri, ctx) => {
  const verdict = defaultDialPlan.checkTarget(uri);
  if (!verdict.allowed) ctx.addIssue({ code: 'custom', message: `calls a number the dial plan refuses: ${verdict.reason}` });
});

const unitKind: z.ZodType<UnitKind> = keyOrLabel(UNIT_KINDS, { 街道办事处: 'street', 镇: 'township', 乡: 'township' });

export const unitFields = {
  code: codeField,
  name: requiredText(100),
  kind: unitKind,
  liaisonName: requiredText(50),
  liaisonPhone: phoneField,
  liaisonSipUri: liaisonSipUriField.nullish().transform((v) => v ?? null),
  active: booleanField.default(true),
};

export const newUnitSchema = z.strictObject(unitFields, formError('unit'));
export type NewUnitInput = z.output<typeof newUnitSchema>;

export const unitPatchSchema = z
  .strictObject({
    name: unitFields.name.optional(),
    kind: unitKind.optional(),
    liaisonName: unitFields.liaisonName.optional(),
    liaisonPhone: phoneField.optional(),
    liaisonSipUri: liaisonSipUriField.nullable().optional(),
    active: booleanField.optional(),
  }, formError('unit'))
  .refine((p) => Object.keys(p).length > 0, 'names no field to change');
export type UnitPatchInput = z.output<typeof unitPatchSchema>;

/** Deadlines: reply in working days, or in hours (urgent matters), never both. */
export const deadlineFields = {
  replyDays: wholeNumber(1, 60).nullish(),
  replyHours: wholeNumber(1, 720).nullish(),
  signDays: wholeNumber(1, 10).nullish(),
};

const categoryFields = {
  code: codeField,
  name: requiredText(100),
  defaultUnitCode: codeField.nullish(),
  ...deadlineFields,
  active: booleanField.default(true),
};

/** Issue for a category giving both kinds of reply deadline. */
export function bothReplyDeadlines(c: { replyDays?: number | null; replyHours?: number | null }): boolean {
  return c.replyDays !== undefined && c.replyDays !== null && c.replyHours !== undefined && c.replyHours !== null;
}
const BOTH_MESSAGE = 'give replyDays or replyHours, not both';

export const newCategorySchema = z
  .strictObject({ parentId: idField.nullish(), ...categoryFields }, formError('category'))
  .refine((c) => !bothReplyDeadlines(c), { message: BOTH_MESSAGE, path: ['replyHours'] });
export type NewCategoryInput = z.output<typeof newCategorySchema>;

export const categoryPatchSchema = z
  .strictObject({
    name: categoryFields.name.optional(),
    defaultUnitCode: codeField.nullable().optional(),
    ...deadlineFields,
    active: booleanField.optional(),
  }, formError('category'))
  .refine((p) => Object.keys(p).length > 0, 'names no field to change')
  .refine((c) => !bothReplyDeadlines(c), { message: BOTH_MESSAGE, path: ['replyHours'] });
export type CategoryPatchInput = z.output<typeof categoryPatchSchema>;

/** A category of the seed file: the same fields, children nested, the unit named by `defaultUnit`. */
export interface SeedCategory {
  code: string;
  name: string;
  defaultUnit?: string | null | undefined;
  replyDays?: number | null | undefined;
  replyHours?: number | null | undefined;
  signDays?: number | null | undefined;
  active: boolean;
  children?: SeedCategory[] | undefined;
}

export const seedCategorySchema: z.ZodType<SeedCategory> = z.lazy(() =>
  z
    .strictObject({
      code: codeField,
      name: requiredText(100),
      defaultUnit: codeField.nullish(),
      ...deadlineFields,
      active: booleanField.default(true),
      children: z.array(seedCategorySchema, { error: 'must be a list of categories' }).optional(),
    }, formError('category'))
    .refine((c) => !bothReplyDeadlines(c), { message: BOTH_MESSAGE, path: ['replyHours'] }),
);

export const seedUnitsFileSchema = z.strictObject({ units: z.array(newUnitSchema, { error: 'must be a list of units' }).min(1, 'must list at least one unit') }, formError('seed file'));
export const seedCategoriesFileSchema = z.strictObject({
  categories: z.array(seedCategorySchema, { error: 'must be a list of categories' }).min(1, 'must list at least one category'),
}, formError('seed file'));
