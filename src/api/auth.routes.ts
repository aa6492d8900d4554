import { Router, type Request, type RequestHandler, type Response } from 'express';
import { z } from 'zod';
import { LoginFailedError, LoginLockedError } from '../identity/identity-errors.js';
import type { IdentityService } from '../identity/identity-service.js';
import { SESSION_ID_PATTERN, type SessionInfo } from '../identity/session-info.js';
import type { User } from '../identity/user.js';
import type { SessionJson, SessionListJson } from '../shared/wire/users.js';
import type { ApiErrorBody } from './api-error-handler.js';
import { currentUser } from './auth-context.js';
import { bearerToken, createAuthenticate } from './authenticate.js';
import { parseInput } from './parse-input.js';

const loginBody = z.strictObject({
  // Loose on purpose: a username of the wrong form is a failed login like any unknown one.
  username: z.string({ error: 'is required' }).min(1, 'must not be empty').max(256, 'must be at most 256 characters'),
  password: z.string({ error: 'is required' }).min(1, 'must not be empty').max(1024, 'must be at most 1024 characters'),
});

/** The new password's rules are the identity service's (user-fields.ts), so every path refuses alike. */
const passwordChangeBody = z.strictObject({
  currentPassword: z.string({ error: 'is required' }).min(1, 'must not be empty').max(1024, 'must be at most 1024 characters'),
  newPassword: z.string({ error: 'is required' }).max(1024, 'must be at most 1024 characters'),
});

const sessionParams = z.strictObject({ id: z.string().regex(SESSION_ID_PATTERN, 'must be a session id: 16 hex digits (from GET /auth/sessions)') });

export function toSessionJson(s: SessionInfo): SessionJson {
  return {
    id: s.id,
    createdAt: s.createdAt.toISOString(),
    expiresAt: s.expiresAt.toISOString(),
    current: s.current,
    clientAddress: s.clientAddress,
    userAgent: s.userAgent,
  };
}

/** The client's address as login and the password change count it (the HTTP server's trust-proxy rules). */
function clientAddress(req: Request): string {
  return req.ip ?? req.socket.remoteAddress ?? 'unknown';
}

/** The signed-in user as login and /auth/me show it. */
export interface SessionUserJson {
  readonly id: number;
  readonly username: string;
  readonly role: User['role'];
  readonly displayName: string;
  readonly extension?: string;
  readonly unitId?: number;
  /** An admin set the password: the app shows only the change-password page until it is changed. */
  readonly mustChangePassword: boolean;
}

export function toSessionUserJson(user: User): SessionUserJson {
  return {
    id: user.id,
    username: user.username,
    role: user.role,
    displayName: user.displayName,
    ...(user.extension === null ? {} : { extension: user.extension }),
    ...(user.unitId === null ? {} : { unitId: user.unitId }),
    mustChangePassword: user.mustChangePassword,
  };
}

export interface AuthRoutesOptions {
  /**
   * The centre's IANA zone (config TZ): login and /auth/me tell the browser, which shows dates and
   * computes "today" in it whatever the PC's own zone. Default: this process's zone.
   */
  readonly timeZone?: string;
}

/**
 * `/auth/*` under /api/v1. Mount it before the authentication middleware: login needs no token;
 * the others authenticate themselves when the middleware has not already. A user who must change
 * the password an admin set may use only me, password and logout (the others answer 403
 * PASSWORD_CHANGE_REQUIRED).
 */
export function createAuthRoutes(service: IdentityService, options: AuthRoutesOptions = {}): Router {
  const router = Router();
  const timeZone = options.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
  const unlessSignedIn =
    (authenticate: RequestHandler): RequestHandler =>
    (req, res, next) => {
      if ((res.locals as { user?: unknown }).user !== undefined) {
        next();
        return;
      }
      return authenticate(req, res, next);
    };
  const signedIn = unlessSignedIn(createAuthenticate(service, { allowPasswordChange: true }));
  const signedInFully = unlessSignedIn(createAuthenticate(service));

  router.post('/auth/login', async (req, res) => {
    const { username, password } = parseInput(loginBody, req.body, 'body');
    try {
      const { token, expiresAt, user } = await service.login(username, password, clientAddress(req), req.get('user-agent'));
      res.set('Cache-Control', 'no-store').json({ token, expiresAt: expiresAt.toISOString(), user: toSessionUserJson(user), timeZone });
    } catch (err) {
      if (err instanceof LoginFailedError) {
        sendError(res, 401, err);
        return;
      }
      if (err instanceof LoginLockedError) {
        res.set('Retry-After', String(Math.ceil(err.retryAfterMs / 1000)));
        sendError(res, 429, err);
        return;
      }
      throw err;
    }
  });

  router.post('/auth/logout', signedIn, async (req, res) => {
    await service.revokeToken(bearerToken(req, res));
    res.status(204).end();
  });

  router.get('/auth/me', signedIn, async (_req, res) => {
    const user = await service.getUser(currentUser(res).id);
    res.set('Cache-Control', 'no-store').json({ user: toSessionUserJson(user), timeZone });
  });

  // Any signed-in user, its own password: the current one checked and counted like a login.
  router.post('/auth/password', signedIn, async (req, res) => {
    const { currentPassword, newPassword } = parseInput(passwordChangeBody, req.body, 'body');
    try {
      const user = await service.changeOwnPassword(currentUser(res).id, currentPassword, newPassword, { token: bearerToken(req, res), address: clientAddress(req) });
      res.set('Cache-Control', 'no-store').json({ user: toSessionUserJson(user) });
    } catch (err) {
      if (err instanceof LoginLockedError) {
        res.set('Retry-After', String(Math.ceil(err.retryAfterMs / 1000)));
        sendError(res, 429, err);
        return;
      }
      throw err;
    }
  });

  router.get('/auth/sessions', signedInFully, async (req, res) => {
    const items = await service.listSessions(currentUser(res).id, bearerToken(req, res));
    const body: SessionListJson = { items: items.map(toSessionJson) };
    res.set('Cache-Control', 'no-store').json(body);
  });

  router.delete('/auth/sessions/:id', signedInFully, async (req, res) => {
    const { id } = parseInput(sessionParams, req.params, 'path');
    await service.endSession(currentUser(res).id, id);
    res.status(204).end();
  });

  return router;
}

function sendError(res: Response, status: number, err: LoginFailedError | LoginLockedError): void {
  const body: ApiErrorBody = { error: { code: err.code, message: err.message } };
  res.status(status).json(body);
}
