import type { WebSocket } from 'ws';
import type { AuthUser } from '../api/auth-context.js';
import { hashToken, type IdentityEvents, type SessionEndedEvent, type UserSessionsEndedEvent } from '../identity/identity-service.js';
import type { Logger } from '../logging/logger.js';
import type { Clock, Timer } from '../shared/clock.js';
import type { TypedEmitter } from '../shared/typed-emitter.js';

/** The identity service as the socket servers watch it (IdentityService implements it). */
export interface SessionWatch {
  /**
   * `session-ended` (logout, found expired): the sockets of that token close at once;
   * `user-sessions-ended` (user disabled, password changed): every socket of the user but those of the kept token.
   */
  readonly observer: TypedEmitter<IdentityEvents>;
  /** When the session of a token expires; undefined when it is unknown or already ended. */
  sessionExpiry(token: string): Promise<Date | undefined>;
}

export interface SessionSocketsDeps {
  /** The active user of a token (undefined: logged out, expired, user inactive): used by the periodic re-check. */
  readonly verifyToken: (token: string) => Promise<AuthUser | undefined>;
  /** Absent: only the periodic re-check closes sockets of ended sessions. */
  readonly sessions?: SessionWatch | undefined;
  readonly clock: Clock;
  readonly logger: Logger;
  /**
   * Every open socket's token is verified again this often. It catches what no event tells this
   * process: a logout handled by another process, a user made inactive in the database.
   */
  readonly recheckMs: number;
  /** Told right after a socket was closed for its session (its `close` event comes later, after the handshake). */
  readonly onRevoked?: (ws: WebSocket) => void;
}

/** RFC 6455 §7.4.2 leaves 4000–4999 to applications: 4401 is our "unauthorized", as at connect time. */
export const SESSION_ENDED_CODE = 4401;

/** The close frame's reason for each way a session ends. */
const CLOSE_REASONS: Readonly<Record<SessionEndedEvent['reason'] | UserSessionsEndedEvent['reason'], string>> = {
  logout: 'signed out',
  expired: 'token expired',
  ended: 'session ended from the sessions list',
  disabled: 'account disabled',
  'password-changed': 'password changed',
  'signed-out-by-admin': 'signed out by an admin',
};

/**
 * The close of a socket whose user must first choose its own password (an admin set it): 4403 like
 * a role without access, with the API's error code in the reason so the browser can tell.
 */
export const PASSWORD_CHANGE_REQUIRED_CLOSE = { code: 4403, reason: 'PASSWORD_CHANGE_REQUIRED: choose your own password first' } as const;

/** setTimeout holds at most 2^31−1 ms (24.8 days); tokens may live 30 days (AUTH_TOKEN_TTL_H ≤ 720). */
const MAX_TIMER_MS = 2_147_483_647;

interface Tracked {
  readonly token: string;
  readonly tokenHash: string;
  readonly userId: number;
  expiry: Timer | undefined;
}

/**
 * The sockets of one WebSocket server, by the session that opened them. A socket lives no longer
 * than its session: logout (event), expiry (a timer at the session's expiry) and anything else that
 * ends it (periodic re-check) close it with 4401 and a reason, so a logged-out token can no longer
 * act (e.g. say `ready` and be offered calls).
 */
export class SessionSockets {
  private readonly tracked = new Map<WebSocket, Tracked>();
  private readonly recheckTimer: NodeJS.Timeout;
  private rechecking = false;
  private closed = false;
  private readonly onEnded = (e: SessionEndedEvent): void => {
    for (const [ws, t] of this.tracked) {
      if (t.tokenHash === e.tokenHash) this.revoke(ws, CLOSE_REASONS[e.reason]);
    }
  };
  private readonly onUserEnded = (e: UserSessionsEndedEvent): void => {
    for (const [ws, t] of this.tracked) {
      if (t.userId === e.userId && t.tokenHash !== e.keptTokenHash) this.revoke(ws, CLOSE_REASONS[e.reason]);
    }
  };

  constructor(private readonly deps: SessionSocketsDeps) {
    deps.sessions?.observer.on('session-ended', this.onEnded).on('user-sessions-ended', this.onUserEnded);
    this.recheckTimer = setInterval(() => {
      void this.recheck();
    }, deps.recheckMs);
    this.recheckTimer.unref();
  }

  /** Follows `ws`, opened with `token` by `user`, until it closes. */
  track(ws: WebSocket, token: string, user: AuthUser): void {
    if (this.closed) return;
    const entry: Tracked = { token, tokenHash: hashToken(token), userId: user.id, expiry: undefined };
    this.tracked.set(ws, entry);
    ws.once('close', () => {
      this.forget(ws);
    });
    void this.armExpiry(ws, entry);
  }

  /** Verifies every open socket's token again; closes those whose session is over. */
  async recheck(): Promise<void> {
    if (this.rechecking || this.closed) return;
    this.rechecking = true;
    try {
      const byToken = new Map<string, WebSocket[]>();
      for (const [ws, t] of this.tracked) byToken.set(t.token, [...(byToken.get(t.token) ?? []), ws]);
      for (const [token, sockets] of byToken) {
        const user = await this.deps.verifyToken(token).catch((err: unknown) => {
          // A database that does not answer is not a logout: keep the sockets, try next time.
          this.deps.logger.warn('session re-check failed', { error: err instanceof Error ? err.message : String(err) });
          return null;
        });
        if (user === undefined) for (const ws of sockets) this.revoke(ws, 'session ended');
      }
    } finally {
      this.rechecking = false;
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.recheckTimer);
    this.deps.sessions?.observer.off('session-ended', this.onEnded).off('user-sessions-ended', this.onUserEnded);
    for (const ws of [...this.tracked.keys()]) this.forget(ws);
  }

  private async armExpiry(ws: WebSocket, entry: Tracked): Promise<void> {
    const expiresAt = await this.deps.sessions?.sessionExpiry(entry.token).catch((err: unknown) => {
      this.deps.logger.warn('session expiry lookup failed', { error: err instanceof Error ? err.message : String(err) });
      return null;
    });
    if (expiresAt === undefined && this.deps.sessions !== undefined) {
      // Ended between the socket's authentication and now.
      this.revoke(ws, 'session ended');
      return;
    }
    if (expiresAt === undefined || expiresAt === null || this.tracked.get(ws) !== entry) return;
    const schedule = (): void => {
      const left = expiresAt.getTime() - this.deps.clock.now();
      if (left <= 0) {
        entry.expiry = undefined;
        this.revoke(ws, 'token expired');
        return;
      }
      entry.expiry = this.deps.clock.setTimeout(schedule, Math.min(left, MAX_TIMER_MS));
    };
    schedule();
  }

  private revoke(ws: WebSocket, reason: string): void {
    const entry = this.tracked.get(ws);
    if (entry === undefined) return;
    this.forget(ws);
    this.deps.logger.info('socket closed: its session ended', { userId: entry.userId, reason });
    ws.close(SESSION_ENDED_CODE, reason);
    this.deps.onRevoked?.(ws);
  }

  private forget(ws: WebSocket): void {
    const entry = this.tracked.get(ws);
    if (entry === undefined) return;
    if (entry.expiry !== undefined) this.deps.clock.clearTimeout(entry.expiry);
    this.tracked.delete(ws);
  }
}
