import type { z } from 'zod';
import { ValidationError } from '../shared/app-error.js';

export interface FieldIssue {
  readonly path: string;
  readonly message: string;
}

/** zod issues as `{path, message}`, the path dotted (`children.2.code`), `what` when at the root. */
export function toFieldIssues(error: z.ZodError, what: string): FieldIssue[] {
  return error.issues.map((i) => ({ path: i.path.map(String).join('.') || what, message: i.message }));
}

/** Throws one ValidationError naming every issue (one per path, the first message kept). */
export function refuse(what: string, issues: readonly FieldIssue[]): never {
  const seen = new Set<string>();
  const unique = issues.filter((i) => (seen.has(i.path) ? false : (seen.add(i.path), true)));
  throw new ValidationError(`invalid ${what}: ${unique.map((i) => `${i.path} ${i.message}`).join('; ')}`, unique);
}

/** Parses outside input with `schema`; on failure throws a ValidationError naming every bad field. */
export function parseWithIssues<T extends z.ZodType>(schema: T, input: unknown, what: string): z.output<T> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  return refuse(what, toFieldIssues(parsed.error, what));
}
