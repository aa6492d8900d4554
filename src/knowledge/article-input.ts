import { z } from 'zod';
import { formError, idField, keyOrLabel, requiredText, wholeNumber } from '../tickets/field-schemas.js';
import { refuse, toFieldIssues, type FieldIssue } from '../tickets/parse-with-issues.js';
import { ARTICLE_KINDS, ARTICLE_STATUSES, type ArticleFields, type ArticleKind, type ArticleStatus } from './article.js';

export const TITLE_MAX_CHARS = 200;
export const BODY_MAX_CHARS = 20_000;
export const MAX_LINKS = 20;
export const MAX_TAGS = 20;
export const TAG_MAX_CHARS = 20;

const kind: z.ZodType<ArticleKind> = keyOrLabel(ARTICLE_KINDS, { 公告: 'notice' });
const status: z.ZodType<ArticleStatus> = keyOrLabel(ARTICLE_STATUSES, { 发布: 'published', 归档: 'archived' });

const ids = (what: string) =>
  z
    .array(idField, { error: `must be a list of ${what} ids` })
    .max(MAX_LINKS, `must name at most ${MAX_LINKS} ${what}`)
    .transform((list) => [...new Set(list)]);

const tags = z
  .array(requiredText(TAG_MAX_CHARS), { error: 'must be a list of words' })
  .max(MAX_TAGS, `must have at most ${MAX_TAGS} tags`)
  .transform((list) => [...new Set(list)]);

/** An ISO 8601 instant with its zone (`2026-12-03T08:00:00+08:00`), or null for no bound. */
const instant = z
  .string({ error: 'must be a date and time (ISO 8601, e.g. 2026-12-03T08:00:00+08:00) or null' })
  .max(40, 'must be a date and time (ISO 8601)')
  .refine((s) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/.test(s) && Number.isFinite(Date.parse(s)), 'must be a date and time with its zone (ISO 8601, e.g. 2026-12-03T08:00:00+08:00)')
  .transform((s) => new Date(Date.parse(s)))
  .nullable();

const fieldShape = {
  kind,
  title: requiredText(TITLE_MAX_CHARS, 2),
  body: requiredText(BODY_MAX_CHARS, 2),
  status,
  categoryIds: ids('categories'),
  unitIds: ids('units'),
  tags,
  validFrom: instant,
  validTo: instant,
};

const createSchema = z.strictObject(
  {
    ...fieldShape,
    kind: kind.default('article'),
    status: status.default('draft'),
    categoryIds: fieldShape.categoryIds.default([]),
    unitIds: fieldShape.unitIds.default([]),
    tags: fieldShape.tags.default([]),
    validFrom: instant.default(null),
    validTo: instant.default(null),
  },
  formError('article'),
);

const editSchema = z.strictObject(
  {
    version: wholeNumber(1, 2_147_483_647),
    kind: kind.optional(),
    title: fieldShape.title.optional(),
    body: fieldShape.body.optional(),
    status: status.optional(),
    categoryIds: fieldShape.categoryIds.optional(),
    unitIds: fieldShape.unitIds.optional(),
    tags: fieldShape.tags.optional(),
    validFrom: instant.optional(),
    validTo: instant.optional(),
  },
  formError('article'),
);

const versionSchema = z.strictObject({ version: wholeNumber(1, 2_147_483_647) }, formError('archive'));

export type ArticleEdit = z.output<typeof editSchema>;

/** The new article's fields; the refusal names every bad field. */
export function parseArticleCreate(input: unknown): ArticleFields {
  const parsed = createSchema.safeParse(input);
  if (!parsed.success) return refuse('article', toFieldIssues(parsed.error, 'article'));
  return checked(parsed.data);
}

/** An edit: `version` and the fields that change. */
export function parseArticleEdit(input: unknown): ArticleEdit {
  const parsed = editSchema.safeParse(input);
  if (!parsed.success) return refuse('article', toFieldIssues(parsed.error, 'article'));
  return parsed.data;
}

export function parseVersion(input: unknown): number {
  const parsed = versionSchema.safeParse(input);
  if (!parsed.success) return refuse('archive', toFieldIssues(parsed.error, 'archive'));
  return parsed.data.version;
}

/** The cross-field rules, on the article as it would be saved. */
export function checked(fields: ArticleFields): ArticleFields {
  const issues: FieldIssue[] = [];
  if (fields.validFrom !== null && fields.validTo !== null && fields.validTo.getTime() <= fields.validFrom.getTime()) {
    issues.push({ path: 'validTo', message: 'must be after validFrom' });
  }
  if (fields.kind === 'notice' && fields.validTo === null) {
    issues.push({ path: 'validTo', message: 'is required for a temporary notice (临时公告): say until when it applies' });
  }
  if (issues.length > 0) refuse('article', issues);
  return fields;
}
