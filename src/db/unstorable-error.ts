import { DatabaseError, ForeignKeyConstraintError, ValidationError as SequelizeValidationError } from 'sequelize';
import { AppError, NotFoundError, ValidationError } from '../shared/app-error.js';

/** MySQL/MariaDB and SQLite refusals of the value itself (too long, wrong type, out of range, NULL, key clash). */
const UNSTORABLE_CODES = new Set([
  'ER_DATA_TOO_LONG',
  'ER_TRUNCATED_WRONG_VALUE',
  'ER_TRUNCATED_WRONG_VALUE_FOR_FIELD',
  'ER_WARN_DATA_OUT_OF_RANGE',
  'ER_DATA_OUT_OF_RANGE',
  'ER_BAD_NULL_ERROR',
  'ER_NO_DEFAULT_FOR_FIELD',
  'ER_DUP_ENTRY',
  'ER_NO_REFERENCED_ROW',
  'ER_NO_REFERENCED_ROW_2',
  'ER_INVALID_CHARACTER_STRING',
  'ER_WRONG_VALUE',
  'ER_WRONG_VALUE_FOR_TYPE',
  'ER_CHECK_CONSTRAINT_VIOLATED',
  'SQLITE_CONSTRAINT',
  'SQLITE_MISMATCH',
  'SQLITE_TOOBIG',
]);

/**
 * Refusals no retry can fix: a bad value, a row that is not there, a stored value we cannot read, and
 * the database's own refusals of the value (Sequelize validation, unique and foreign keys, data too
 * long…). Our stores wrap driver errors in AppError('DATABASE_ERROR'), so the cause chain is searched.
 */
export function isUnstorable(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e !== undefined && e !== null && depth < 5; depth += 1) {
    if (e instanceof ValidationError || e instanceof NotFoundError || (e instanceof AppError && e.code === 'DATA_CORRUPT')) return true;
    // UniqueConstraintError is a Sequelize ValidationError.
    if (e instanceof SequelizeValidationError || e instanceof ForeignKeyConstraintError) return true;
    if (e instanceof DatabaseError && UNSTORABLE_CODES.has(driverCode(e))) return true;
    e = e instanceof Error ? e.cause : undefined;
  }
  return false;
}

/** The driver error (Sequelize keeps it as `original`, alias `parent`) code, e.g. ER_DATA_TOO_LONG. */
function driverCode(err: DatabaseError): string {
  const source: unknown = err.original;
  const code: unknown = typeof source === 'object' && source !== null && 'code' in source ? source.code : undefined;
  return typeof code === 'string' ? code : '';
}
