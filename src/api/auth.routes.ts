import { Router, type RequestHandler, type Response } from 'express';
import { z } from 'zod';
import { LoginFailedError, LoginLockedError } from '../identity/identity-errors.js';
import type { IdentityService } from '../identity/identity-service.js';
import type { User } from '../identity/user.js';
import type { ApiErrorBody } from './api-error-handler.js';
import { currentUser } from './auth-context.js';
import { bearerToken, createAuthenticate } from './authenticate.js';
import { parseInput } from './parse-input.js';

const loginBody = z.strictObject({
  // Loose on purpose: a username of the wrong form is a failed login like any unknown one.
  username: z.string({ error: 'is required' }).min(1, 'must not be empty').max(256, 'must be at most 256 characters'),
  password: z.string({ error: 'is required' }).min(1, 'must not be empty').max(1024, 'must be at most 1024 characters'),
});

/** The signed-in user as login and /auth/me show it. */
export interface SessionUserJson {
  readonly id: number;
  readonly username: string;
  readonly role: User['role'];
  readonly displayName: string;
  readonly extension?: string;
  readonly unitId?: number;
}

export function toSessionUserJson(user: User): SessionUserJson {
  return {
    id: user.id,
    username: user.username,
    role: user.role,
    displayName: user.displayName,
    ...(user.extension === null ? {} : { extension: user.extension }),
    ...(user.unitId === null ? {} : { unitId: user.unitId }),
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
 * logout and me authenticate themselves when the middleware has not already.
 */
export function createAuthRoutes(service: IdentityService, options: AuthRoutesOptions = {}): Router {
  const router = Router();
  const timeZone = options.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
  const authenticate = createAuthenticate(service);
  const signedIn: RequestHandler = (req, res, next) => {
    if ((res.locals as { user?: unknown }).user !== undefined) {
      next();
      return;
    }
    return authenticate(req, res, next);
  };

  router.post('/auth/login', async (req, res) => {
    const { username, password } = parseInput(loginBody, req.body, 'body');
    try {
      const { token, expiresAt, user } = await service.login(username, password, req.ip ?? req.socket.remoteAddress ?? 'unknown');
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

  return router;
}

function sendError(res: Response, status: number, err: LoginFailedError | LoginLockedError): void {
  const body: ApiErrorBody = { error: { code: err.code, message: err.message } };
  res.status(status).json(body);
}
