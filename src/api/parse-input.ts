import type { z } from 'zod';
import { ValidationError } from '../shared/app-error.js';

/**
 * Parses outside input (query, body, params) with a zod schema; the refusal is a ValidationError
 * listing each bad field and why, which the error handler answers as 400.
 */
export function parseInput<T extends z.ZodType>(schema: T, input: unknown, what: string): z.output<T> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.') || what, message: i.message }));
  throw new ValidationError(`invalid ${what}: ${issues.map((i) => `${i.path} ${i.message}`).join('; ')}`, issues);
}
