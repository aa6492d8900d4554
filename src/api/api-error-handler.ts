import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from '../logging/logger.js';
import { AppError, ValidationError } from '../shared/app-error.js';

/** The JSON shape of every error the HTTP API answers. */
export interface ApiErrorBody {
  readonly error: {
    readonly code: string;
    readonly message: string;
    readonly issues?: readonly { path: string; message: string }[];
  };
}

const statusByCode: Readonly<Record<string, number>> = {
  VALIDATION_FAILED: 400,
  MALFORMED_JSON: 400,
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  LOGIN_FAILED: 401,
  INVALID_TRANSITION: 409,
  VERSION_CONFLICT: 409,
  RETURN_TOO_LATE: 409,
  EXTENSION_NOT_ALLOWED: 409,
  LOGIN_LOCKED: 429,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  RECORDING_EXPIRED: 410,
  DUPLICATE: 409,
  INVALID_STATE: 409,
  PAYLOAD_TOO_LARGE: 413,
};

/** Unknown routes: 404 JSON, never express's HTML page. */
export const notFoundHandler: RequestHandler = (req, res) => {
  const body: ApiErrorBody = { error: { code: 'NOT_FOUND', message: `no route for ${req.method} ${req.path}` } };
  res.status(404).json(body);
};

/**
 * Turns every error into JSON with a stable code. 4xx answers say what was wrong; 5xx answers say
 * nothing of the inside (no stack, no library message) and the details go to the log, without the body.
 */
export function apiErrorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    if (res.headersSent) {
      next(err);
      return;
    }
    const parserError = bodyParserError(err);
    let status: number;
    let body: ApiErrorBody;
    if (parserError) {
      ({ status, body } = parserError);
    } else if (isClientHttpError(err)) {
      // e.g. the router's "Failed to decode param" (a bad %-escape in the path): the request is wrong, not the server.
      status = 400;
      body = { error: { code: 'BAD_REQUEST', message: 'malformed request (a path parameter is not valid percent-encoding)' } };
    } else if (err instanceof ValidationError) {
      status = 400;
      body = { error: { code: err.code, message: err.message, issues: err.issues } };
    } else if (err instanceof AppError && (statusByCode[err.code] ?? 500) < 500) {
      status = statusByCode[err.code] ?? 500;
      body = { error: { code: err.code, message: err.message } };
    } else {
      status = 500;
      const code = err instanceof AppError ? err.code : 'INTERNAL';
      body = { error: { code, message: 'internal error' } };
      logger.error('http request failed', {
        method: req.method,
        path: req.path,
        code,
        error: err instanceof Error ? err.message : String(err),
        stack: err instanceof Error ? err.stack : undefined,
      });
    }
    res.status(status).json(body);
  };
}

/** Errors thrown by express.json(): they carry an HTTP status and a `type`. */
function bodyParserError(err: unknown): { status: number; body: ApiErrorBody } | undefined {
  if (typeof err !== 'object' || err === null || !('type' in err) || !('status' in err)) return undefined;
  const { type, status } = err;
  if (typeof type !== 'string' || typeof status !== 'number' || status < 400 || status >= 500) return undefined;
  if (type === 'entity.parse.failed') return { status: 400, body: { error: { code: 'MALFORMED_JSON', message: 'request body is not valid JSON' } } };
  if (type === 'entity.too.large') return { status: 413, body: { error: { code: 'PAYLOAD_TOO_LARGE', message: 'request body is too large' } } };
  return { status, body: { error: { code: 'BAD_REQUEST', message: `request body refused (${type})` } } };
}

/** An error the HTTP layer marked as the client's (a 4xx `status`, no body-parser `type`), or a URIError from decoding. */
function isClientHttpError(err: unknown): boolean {
  if (err instanceof URIError) return true;
  if (typeof err !== 'object' || err === null || err instanceof AppError || !('status' in err)) return false;
  const { status } = err;
  return typeof status === 'number' && status >= 400 && status < 500;
}
