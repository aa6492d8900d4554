import type { IncomingMessage, Server } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import type { AuthUser } from '../api/auth-context.js';
import type { Logger } from '../logging/logger.js';
import type { LiveBoardEvents, LiveBoardSnapshot } from '../metrics/live-board.js';
import { systemClock, type Clock } from '../shared/clock.js';
import type { TypedEmitter } from '../shared/typed-emitter.js';
import type { WallboardFrameJson } from '../shared/wire/wallboard.js';
import { PASSWORD_CHANGE_REQUIRED_CLOSE, SessionSockets, type SessionWatch } from './session-sockets.js';
import { upgradeUrl } from './upgrade-guard.js';

export interface WallboardDeps {
  readonly board: { readonly snapshot: LiveBoardSnapshot; readonly observer: TypedEmitter<LiveBoardEvents> };
  readonly verifyToken: (token: string) => Promise<AuthUser | undefined>;
  readonly logger: Logger;
  /** Session ends (logout, expiry) close the wallboards opened with that token at once (4401). */
  readonly sessions?: SessionWatch;
  /** How often open sockets' tokens are verified again (default 15 s). */
  readonly recheckMs?: number;
  readonly clock?: Clock;
}

/**
 * `/ws/wallboard`: supervisors' live view. Sends the current figures on connect and every update of
 * the live board (`{"type":"board", ...snapshot}`); it takes no commands. Closes 4401 / 4403 like the
 * agent desktop.
 */
export class WallboardServer {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 1024 });
  private readonly sessionSockets: SessionSockets;
  /** The sockets whose token and role were accepted: only these get the board (not one still being checked or about to be refused). */
  private readonly viewers = new Set<WebSocket>();
  private readonly onUpdate = (snapshot: LiveBoardSnapshot): void => {
    const text = JSON.stringify(boardFrame(snapshot));
    for (const ws of this.viewers) if (ws.readyState === ws.OPEN) ws.send(text);
  };

  constructor(
    server: Server,
    private readonly deps: WallboardDeps,
  ) {
    server.on('upgrade', (req, socket, head) => {
      if (upgradeUrl(req)?.pathname !== '/ws/wallboard') return;
      this.wss.handleUpgrade(req, socket, head, (ws) => {
        void this.accept(ws, req);
      });
    });
    deps.board.observer.on('update', this.onUpdate);
    this.sessionSockets = new SessionSockets({
      verifyToken: deps.verifyToken,
      sessions: deps.sessions,
      clock: deps.clock ?? systemClock,
      logger: deps.logger,
      recheckMs: deps.recheckMs ?? 15_000,
    });
  }

  close(): void {
    this.sessionSockets.close();
    this.deps.board.observer.off('update', this.onUpdate);
    for (const ws of this.wss.clients) ws.close(1001, 'server shutting down');
    this.wss.close();
  }

  private async accept(ws: WebSocket, req: IncomingMessage): Promise<void> {
    const url = upgradeUrl(req) ?? new URL('http://localhost/');
    const header = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    const token: string | undefined = url.searchParams.get('token') ?? header?.[1];
    let user: AuthUser | undefined;
    try {
      user = token === undefined ? undefined : await this.deps.verifyToken(token);
    } catch (err) {
      // The check failed (database down), the token may well be good: 1011 lets the browser retry
      // (4401 would sign the supervisor out for a hiccup).
      this.deps.logger.error('wallboard token check failed', { error: err instanceof Error ? err.message : String(err) });
      ws.close(1011, 'could not verify the token, try again');
      return;
    }
    if (!user || token === undefined) {
      ws.close(4401, token ? 'token expired or unknown' : 'missing token');
      return;
    }
    if (user.mustChangePassword === true) {
      ws.close(PASSWORD_CHANGE_REQUIRED_CLOSE.code, PASSWORD_CHANGE_REQUIRED_CLOSE.reason);
      return;
    }
    if (user.role !== 'supervisor' && user.role !== 'admin') {
      ws.close(4403, `role ${user.role} has no wallboard`);
      return;
    }
    ws.on('message', () => {
      ws.send(JSON.stringify({ type: 'error', code: 'READ_ONLY', message: 'the wallboard takes no commands' }));
    });
    ws.on('error', (err) => {
      this.deps.logger.warn('wallboard socket error', { error: err.message });
    });
    // Closed while its token was being checked: nothing to track or send.
    if (ws.readyState !== ws.OPEN) return;
    ws.on('close', () => this.viewers.delete(ws));
    this.viewers.add(ws);
    this.sessionSockets.track(ws, token, user);
    ws.send(JSON.stringify(boardFrame(this.deps.board.snapshot)));
  }
}

/** The `/ws/wallboard` frame of a snapshot. */
export function boardFrame(snapshot: LiveBoardSnapshot): WallboardFrameJson {
  return { type: 'board', ...snapshot };
}
