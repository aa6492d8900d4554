import type { Request, RequestHandler, Response } from 'express';
import { PasswordChangeRequiredError } from '../identity/identity-errors.js';
import type { IdentityService } from '../identity/identity-service.js';
import type { User } from '../identity/user.js';
import type { ApiErrorBody } from './api-error-handler.js';
import { UnauthorizedError, type AuthUser } from './auth-context.js';

/** What the middleware needs of the identity service. */
export type TokenVerifier = Pick<IdentityService, 'verifyToken'>;

/** The AuthUser put on res.locals.user for a verified user. */
export function toAuthUser(user: User): AuthUser {
  return {
    id: user.id,
    username: user.username,
    role: user.role,
    extension: user.extension ?? undefined,
    unitId: user.unitId ?? undefined,
    ...(user.mustChangePassword ? { mustChangePassword: true } : {}),
  };
}

/**
 * The bearer token of `Authorization: Bearer <token>` (RFC 6750 §2.1), or a 401 saying what is
 * wrong. The scheme is case-insensitive (RFC 9110 §11.1).
 */
export function bearerToken(req: Request, res: Response): string {
  const header = req.get('authorization');
  if (header === undefined || header.trim() === '') throw unauthorized(res, 'missing Authorization header');
  const match = /^Bearer +([^\s]+) *$/i.exec(header);
  const token = match?.[1];
  if (token === undefined) throw unauthorized(res, 'Authorization header must be "Bearer <token>"');
  return token;
}

export interface AuthenticateOptions {
  /**
   * Lets in a user who must change the password an admin set (only /auth/me, /auth/password and
   * /auth/logout do). Default false: such a user is answered 403 PASSWORD_CHANGE_REQUIRED.
   */
  readonly allowPasswordChange?: boolean;
}

/**
 * Sets res.locals.user from the bearer token, or answers 401 (`missing Authorization header`,
 * `token expired or unknown`), or 403 PASSWORD_CHANGE_REQUIRED for a user who must first choose its
 * own password (see AuthenticateOptions).
 */
export function createAuthenticate(service: TokenVerifier, options: AuthenticateOptions = {}): RequestHandler {
  return async (req, res, next) => {
    const token = bearerToken(req, res);
    const user = await service.verifyToken(token);
    if (!user) throw unauthorized(res, 'token expired or unknown');
    if (user.mustChangePassword && options.allowPasswordChange !== true) {
      // Answered here: the code is this module's, the error handler's table stays as it is.
      const err = new PasswordChangeRequiredError();
      const body: ApiErrorBody = { error: { code: err.code, message: err.message } };
      res.status(403).json(body);
      return;
    }
    res.locals.user = toAuthUser(user);
    next();
  };
}

/** RFC 6750 §3: a 401 names the scheme to use. */
function unauthorized(res: Response, reason: string): UnauthorizedError {
  res.set('WWW-Authenticate', 'Bearer realm="hotline"');
  return new UnauthorizedError(reason);
}
