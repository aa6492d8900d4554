import type { Response } from 'express';
import { AppError } from '../shared/app-error.js';
import type { ApiErrorBody } from './api-error-handler.js';

/**
 * Answers `status` with `make()`'s result as JSON; a DUPLICATE refusal (a taken username, extension
 * or code) becomes 409 with the field in `issues` too (`[{path: 'code', message: 'is already
 * taken'}]`), so a form shows it beside the field like any other refusal. `field` names the field
 * of the error (DuplicateUserError knows its own).
 */
export async function answerNamingDuplicate<T>(
  res: Response,
  status: number,
  make: () => Promise<T>,
  field: (err: AppError) => string,
): Promise<T | undefined> {
  try {
    const value = await make();
    res.status(status).json(value);
    return value;
  } catch (err) {
    if (!(err instanceof AppError) || err.code !== 'DUPLICATE') throw err;
    const body: ApiErrorBody = { error: { code: err.code, message: err.message, issues: [{ path: field(err), message: 'is already taken' }] } };
    res.status(409).json(body);
    return undefined;
  }
}
