/**
 * The one error family of the server. Every error that crosses a module boundary is an AppError
 * with a stable `code` (for logs, API responses and tests) and, when it wraps a library error, a `cause`.
 */
export class AppError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Outside input (config, HTTP, flow file, SIP message, DTMF) that does not parse. */
export class ValidationError extends AppError {
  constructor(
    message: string,
    /** Each bad field and why, e.g. `[{ path: 'SIP_PORT', message: 'must be 1-65535' }]`. */
    readonly issues: readonly { path: string; message: string }[] = [],
    options?: { cause?: unknown },
  ) {
    super('VALIDATION_FAILED', message, options);
  }
}

export class ConfigError extends AppError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('CONFIG_INVALID', message, options);
  }
}

/** An operation on something that is closed, ended, or in the wrong state for it. */
export class InvalidStateError extends AppError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('INVALID_STATE', message, options);
  }
}

export class NotFoundError extends AppError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('NOT_FOUND', message, options);
  }
}

export class TimeoutError extends AppError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('TIMEOUT', message, options);
  }
}

/** Wraps an unknown thrown value where a library error enters our code. */
export function toAppError(err: unknown, code: string, message: string): AppError {
  if (err instanceof AppError) return err;
  return new AppError(code, `${message}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
}
