import type { RequestHandler } from 'express';
import type { AuthUser, Role } from '../../src/api/auth-context.js';

/** Stands in for the authentication middleware in route tests: every request is signed in as `role`. */
export function signedInAs(role: Role, extra: Partial<AuthUser> = {}): RequestHandler {
  return (_req, res, next) => {
    const user: AuthUser = { id: 1, username: `test-${role}`, role, ...extra };
    res.locals.user = user;
    next();
  };
}
