import { z } from 'zod';
import { formError, idField, keyOrLabel, optionalText, phoneField, requiredText, wholeNumber } from './field-schemas.js';
import { refuse, toFieldIssues, type FieldIssue } from './parse-with-issues.js';
import { replyContentIssues } from './reply-rules.js';
import { RESOLUTIONS, SATISFACTIONS, type Resolution, type Satisfaction } from './ticket.js';
import type { TicketAction } from './ticket-lifecycle.js';

export const RETURN_REASON_MIN_CHARS = 5;
export const REPLY_MIN_CHARS = 15;
export const REPLY_MAX_CHARS = 4000;
/** shared/DOMAIN.md: an extension is at most 10 working days. */
export const MAX_EXTENSION_DAYS = 10;

/** Every action carries the version the client read (optimistic lock). */
const version = wholeNumber(1, 2_147_483_647);
const note = optionalText(2000);
const reason = (min: number) => requiredText(2000, min);

const satisfaction: z.ZodType<Satisfaction> = keyOrLabel(SATISFACTIONS, { 无法联系: 'unreachable' });
const resolution: z.ZodType<Resolution> = keyOrLabel(RESOLUTIONS, { 解决: 'resolved', 未解决: 'unresolved' });

const schemas = {
  dispatch: z.strictObject({ version, unitId: idField, note }, formError('dispatch')),
  sign: z.strictObject({ version, note }, formError('sign')),
  return: z.strictObject({ version, reason: reason(RETURN_REASON_MIN_CHARS) }, formError('return')),
  start: z.strictObject({ version, note }, formError('start')),
  'request-extension': z.strictObject({ version, reason: reason(RETURN_REASON_MIN_CHARS), days: wholeNumber(1, MAX_EXTENSION_DAYS) }, formError('extension request')),
  /** `days`: working days granted, at most those asked for (default: all of them). */
  'approve-extension': z.strictObject({ version, note, days: wholeNumber(1, MAX_EXTENSION_DAYS).optional() }, formError('extension approval')),
  'refuse-extension': z.strictObject({ version, note }, formError('extension refusal')),
  reply: z.strictObject(
    {
      version,
      content: requiredText(REPLY_MAX_CHARS, REPLY_MIN_CHARS),
      /** 答复人 */
      handlerName: requiredText(50),
      /** 答复电话 */
      handlerPhone: phoneField,
    },
    formError('reply'),
  ),
  'review-approve': z.strictObject({ version, note }, formError('review')),
  'review-reject': z.strictObject({ version, reason: reason(RETURN_REASON_MIN_CHARS) }, formError('review')),
  survey: z.strictObject(
    { version, satisfaction, resolution: resolution.nullish().transform((r) => r ?? null), note, callId: optionalText(255) },
    formError('survey'),
  ),
  close: z.strictObject({ version, note }, formError('close')),
  reopen: z.strictObject({ version, reason: reason(RETURN_REASON_MIN_CHARS), unitId: idField.nullish().transform((v) => v ?? null) }, formError('reopen')),
} as const satisfies Record<TicketAction, z.ZodType>;

export type ActionInput<A extends TicketAction> = z.output<(typeof schemas)[A]>;

/** Parses the body of `action`; the refusal names every bad field (the reply's boilerplate rules included). */
export function parseActionInput<A extends TicketAction>(action: A, input: unknown): ActionInput<A> {
  const schema: z.ZodType<ActionInput<A>> = schemas[action] as unknown as z.ZodType<ActionInput<A>>;
  const parsed = schema.safeParse(input);
  const issues: FieldIssue[] = parsed.success ? [] : toFieldIssues(parsed.error, action);
  if (action === 'reply' && typeof input === 'object' && input !== null) {
    const content = (input as { content?: unknown }).content;
    if (typeof content === 'string' && content.trim().length > 0) {
      const first = replyContentIssues(content.trim())[0];
      if (first !== undefined) issues.push({ path: 'content', message: first });
    }
  }
  if (parsed.success && issues.length === 0) return parsed.data;
  return refuse(action, issues);
}
