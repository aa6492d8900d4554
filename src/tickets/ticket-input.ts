import { z } from 'zod';
import { booleanField, formError, idField, keyOrLabel, optionalText, phoneField, requiredText } from './field-schemas.js';
import { refuse, toFieldIssues, type FieldIssue } from './parse-with-issues.js';
import { REQUEST_TYPES, TYPES_NEEDING_ADDRESS, URGENCIES, type RequestType, type Urgency } from './ticket.js';

export const CONTENT_MIN_CHARS = 10;
export const CONTENT_MAX_CHARS = 4000;
export const MAX_LINKED_ARTICLES = 5;

const requestType: z.ZodType<RequestType> = keyOrLabel(REQUEST_TYPES, { 投诉: 'complaint', 举报: 'complaint' });
const urgency: z.ZodType<Urgency> = keyOrLabel(URGENCIES, { 普通: 'normal', 加急: 'urgent' });

/** The work-order form as the agent submits it (JSON field names). */
const ticketInputSchema = z.strictObject(
  {
    requestType,
    categoryId: idField,
    content: requiredText(CONTENT_MAX_CHARS, CONTENT_MIN_CHARS),
    /** 地点: required for complaints and requests for help (checked below). */
    address: optionalText(500),
    /** Optional; 匿名 is a valid answer. */
    residentName: optionalText(50),
    residentPhone: phoneField,
    /** 勿扰: the resident does not want to be called back (no 回访 call). Absent: false. */
    doNotCall: booleanField.optional(),
    urgency: urgency.default('normal'),
    /** 直办: answered on the call; then `answer` is required and the order closes at once. */
    answeredOnCall: booleanField.default(false),
    answer: optionalText(2000),
    callId: optionalText(255),
    /** Knowledge-base articles the answer was given from (知识库, issue 12); kept on the 受理 event. */
    articleIds: z
      .array(idField, { error: 'must be a list of knowledge article ids' })
      .max(MAX_LINKED_ARTICLES, `must name at most ${MAX_LINKED_ARTICLES} articles`)
      .transform((ids) => [...new Set(ids)])
      .default([]),
    /** Defaults to the category's default unit. */
    handlingUnitId: idField.nullish().transform((v) => v ?? null),
  },
  formError('ticket'),
);

export type TicketInput = z.output<typeof ticketInputSchema>;

/**
 * Parses the form; the refusal names every bad field, cross-field rules included (they are checked
 * on the raw input so they are reported together with the other fields' issues).
 */
export function parseTicketInput(input: unknown): TicketInput {
  const parsed = ticketInputSchema.safeParse(input);
  const issues: FieldIssue[] = parsed.success ? [] : toFieldIssues(parsed.error, 'ticket');
  issues.push(...crossFieldIssues(input));
  if (parsed.success && issues.length === 0) return parsed.data;
  return refuse('ticket', issues);
}

function crossFieldIssues(input: unknown): FieldIssue[] {
  if (typeof input !== 'object' || input === null) return [];
  const raw = input as Record<string, unknown>;
  const issues: FieldIssue[] = [];
  const type = requestType.safeParse(raw.requestType);
  if (type.success && TYPES_NEEDING_ADDRESS.includes(type.data) && isBlank(raw.address)) {
    issues.push({ path: 'address', message: `is required for ${type.data} (${REQUEST_TYPES[type.data]}): say where` });
  }
  if (raw.answeredOnCall === true && isBlank(raw.answer)) {
    issues.push({ path: 'answer', message: 'is required when the request was answered on the call (直办): write the answer given' });
  }
  if (raw.answeredOnCall === true && raw.handlingUnitId !== undefined && raw.handlingUnitId !== null) {
    issues.push({ path: 'handlingUnitId', message: 'must be left out when the request was answered on the call (直办)' });
  }
  return issues;
}

function isBlank(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}
