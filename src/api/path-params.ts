import { z } from 'zod';

/**
 * Schemas of path parameters (`:callId`, `:code`, `:id`): a value that cannot name anything (a NUL,
 * a `/`, `..`, too long, the wrong characters) is refused with 400 naming the parameter, before
 * it reaches the database or the file system.
 */

/**
 * A SIP Call-ID (RFC 3261 §25.1: `word ["@" word]`), at most 255 characters (the column), or a
 * reused one as the calls table keeps it (`<Call-ID>#<record key>`, db/sequelize-call-record-repository.ts). The
 * word characters `/`, `\` and `"` are refused: no Call-ID we store has them, and they are what a
 * path traversal is made of; so is `..`.
 */
export const callIdParam = z
  .string()
  .min(1, 'must not be empty')
  .max(255, 'must be at most 255 characters')
  .regex(/^[A-Za-z0-9\-.!%*_+`'~()<>:[\]?{}@#]+$/, 'must be a SIP Call-ID: letters, digits and - . ! % * _ + ` \' ~ ( ) < > : [ ] ? { } @ only (and # before the record key of a reused Call-ID)')
  .refine((v) => !v.includes('..'), 'must not contain ".."');

/** A work-order code such as `20261122-000123`. */
export const ticketCodeParam = z.string().regex(/^[A-Za-z0-9-]{1,32}$/, 'must be a work-order code: 1 to 32 letters, digits or "-"');

/** A row id: a whole number ≥ 1. */
export const idParam = z
  .string()
  .regex(/^[1-9]\d{0,9}$/, 'must be a whole number ≥ 1')
  .transform(Number)
  .pipe(z.number().max(2_147_483_647, 'must be at most 2147483647'));

export const callIdParams = z.object({ callId: callIdParam });
export const codeParams = z.object({ code: ticketCodeParam });
export const idParams = z.object({ id: idParam });
