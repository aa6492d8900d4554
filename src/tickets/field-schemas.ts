import { z } from 'zod';
import { parsePhoneNumber } from '../shared/phone-number.js';

/**
 * Field schemas shared by the ticket, unit and category forms and the seed files, with refusals
 * in plain words. Text is trimmed and otherwise kept as given, so Chinese values round-trip.
 */

const typeError = (what: string) => (issue: { input: unknown }) => (issue.input === undefined ? 'is required' : `must be ${what}`);

/** Length in characters as a person counts them (code points, so 𠀀 is one). */
function chars(s: string): number {
  return Array.from(s).length;
}

export function requiredText(max: number, min = 1): z.ZodType<string> {
  return z
    .string({ error: typeError('text') })
    .trim()
    .refine((s) => s.length > 0, 'must not be empty')
    .refine((s) => s.length === 0 || chars(s) >= min, `must be at least ${min} characters`)
    .refine((s) => chars(s) <= max, `must be at most ${max} characters`);
}

/** Absent, null or blank → null. */
export function optionalText(max: number): z.ZodType<string | null> {
  return z
    .string({ error: 'must be text' })
    .trim()
    .refine((s) => chars(s) <= max, `must be at most ${max} characters`)
    .nullish()
    .transform((s) => (s === undefined || s === null || s === '' ? null : s));
}

export function wholeNumber(min: number, max: number): z.ZodType<number> {
  return z
    .number({ error: typeError('a number') })
    .int('must be a whole number')
    .min(min, `must be at least ${min}`)
    .max(max, `must be at most ${max}`);
}

/** A database id: a whole number ≥ 1. */
export const idField = wholeNumber(1, 2_147_483_647);

/** A phone number as dialled: 5 to 20 digits, nothing else (stored in full). */
export const PHONE_FIELD_MESSAGE = 'must be a phone number of 5 to 20 digits (spaces, dashes and a leading +86 or 0086 are allowed)';

/**
 * A phone number, stored in its one comparable form (shared/phone-number.ts): `+86 138-1234-5678`
 * becomes `13812345678`, `010-12345678` becomes `01012345678`, another country's number keeps E.164
 * (`+19005550199`), so a caller's number finds the orders whatever form either was written in.
 */
export const phoneField = z
  .string({ error: typeError('text of digits') })
  .max(64, PHONE_FIELD_MESSAGE)
  .transform((value, ctx) => {
    const parsed = parsePhoneNumber(value);
    if (parsed === undefined || (parsed.kind === 'national' && !/^\d{5,20}$/.test(parsed.value)) || (parsed.kind === 'international' && parsed.value.length < 6)) {
      ctx.addIssue({ code: 'custom', message: PHONE_FIELD_MESSAGE });
      return z.NEVER;
    }
    return parsed.value;
  });

/** A code: letters, digits, `-`, `_` or `.`, 1-32 characters. */
export const codeField = z
  .string({ error: typeError('text') })
  .trim()
  .regex(/^[A-Za-z0-9_.-]{1,32}$/, 'must be 1 to 32 letters, digits, "-", "_" or "."');

export const booleanField = z.boolean({ error: typeError('true or false') });

/**
 * An enum given by its English key or its Chinese name (`complaint` or `投诉举报`); yields the key.
 * `aliases` adds other accepted names (e.g. `投诉` for complaint).
 */
export function keyOrLabel<K extends string>(labels: Readonly<Record<K, string>>, aliases: Readonly<Record<string, K>> = {}): z.ZodType<K> {
  const byName = new Map<string, K>();
  for (const key of Object.keys(labels) as K[]) {
    byName.set(key, key);
    byName.set(labels[key], key);
  }
  for (const [alias, key] of Object.entries(aliases)) byName.set(alias, key);
  const allowed = (Object.keys(labels) as K[]).map((k) => `${k} (${labels[k]})`).join(', ');
  return z
    .string({ error: typeError(`one of ${allowed}`) })
    .trim()
    .transform((value, ctx) => {
      const key = byName.get(value);
      if (key !== undefined) return key;
      ctx.addIssue({ code: 'custom', message: `must be one of ${allowed}` });
      return z.NEVER;
    });
}

/** Error map of a form object: unknown fields named in plain words. */
export function formError(what: string) {
  return {
    error: (issue: { code?: string; keys?: readonly string[] }) =>
      issue.code === 'unrecognized_keys' && issue.keys !== undefined
        ? `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')}`
        : `must be an object of ${what} fields`,
  };
}
