import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { AppError } from '../shared/app-error.js';
import { USER_ROLES, type UserRole } from '../shared/wire/users.js';

/** Roles of the hotline's users (shared/DOMAIN.md "Who uses it"). */
export const ROLES = USER_ROLES;
export type Role = UserRole;

/** The signed-in user of a request, put on `res.locals.user` by the authentication middleware. */
export interface AuthUser {
  readonly id: number;
  readonly username: string;
  readonly role: Role;
  /** SIP extension of an agent. */
  readonly extension?: string | undefined;
  /** Handling unit of a `unit` user. */
  readonly unitId?: number | undefined;
  /** An admin set this user's password: only /auth/me, /auth/password and /auth/logout are open to it. */
  readonly mustChangePassword?: boolean | undefined;
}

export class UnauthorizedError extends AppError {
  constructor(message: string) {
    super('UNAUTHORIZED', message);
  }
}

export class ForbiddenError extends AppError {
  constructor(message: string) {
    super('FORBIDDEN', message);
  }
}

/** The signed-in user; throws UnauthorizedError when the authentication middleware set none. */
export function currentUser(res: Response): AuthUser {
  const user = (res.locals as { user?: AuthUser }).user;
  if (!user) throw new UnauthorizedError('sign in first: Authorization: Bearer <token> is missing');
  return user;
}

/** Lets the request through when the signed-in user has one of `roles` (401 when signed out, 403 otherwise). */
export function requireRole(...roles: readonly Role[]): RequestHandler {
  return (_req: Request, res: Response, next: NextFunction) => {
    const user = currentUser(res);
    if (!roles.includes(user.role)) {
      throw new ForbiddenError(`role ${user.role} may not do this (needs ${roles.join(' or ')})`);
    }
    next();
  };
}
