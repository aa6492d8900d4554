import type { IncomingMessage, Server } from 'node:http';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { AgentStateEvent, AcdEvents } from '../acd/acd-events.js';
import type { CallbackRequest } from '../acd/acd-record-repository.js';
import { AgentState, type AgentSnapshot } from '../acd/agent.js';
import type { AuthUser } from '../api/auth-context.js';
import type { PreviewCallEnd } from '../calls/preview-call.js';
import type { PreviewTasks } from '../calls/preview-tasks.js';
import type { Logger } from '../logging/logger.js';
import { AppError } from '../shared/app-error.js';
import type { Clock, Timer } from '../shared/clock.js';
import type { TypedEmitter } from '../shared/typed-emitter.js';
import type { CallerHistoryOrderJson, RegisteredPhone } from '../shared/wire/agent-desk.js';
import { desktopCommand, toCallbackItemJson, type DesktopCommand, type DesktopPush } from './agent-desktop-messages.js';
import { PASSWORD_CHANGE_REQUIRED_CLOSE, SessionSockets, type SessionWatch } from './session-sockets.js';
import { upgradeUrl } from './upgrade-guard.js';

/** The ACD as the desktop drives it. */
export interface DesktopAcd {
  readonly observer: TypedEmitter<AcdEvents>;
  login(input: { agentId: string; extension: string; skills: readonly string[] }): AgentSnapshot;
  logout(agentId: string): void;
  setReady(agentId: string): void;
  setNotReady(agentId: string, reason: string): void;
  endWrapUp(agentId: string): void;
  agent(agentId: string): AgentSnapshot | undefined;
  /** When the agent's timed wrap-up ends (ms since the epoch), null when not in one; absent: no countdown is sent. */
  wrapUpEndsAt?(agentId: string): number | null;
}

/** Preview dialing as the desktop drives it (calls/preview-tasks.ts). */
export type DesktopPreview = Pick<PreviewTasks, 'observer' | 'next' | 'dial' | 'release' | 'hangup' | 'holds' | 'abandon'>;

export interface AgentDesktopDeps {
  readonly acd: DesktopAcd;
  /** The signed-in user of a token, or undefined when it is unknown or expired. */
  readonly verifyToken: (token: string) => Promise<AuthUser | undefined>;
  /** Session ends (logout, expiry) close the desktops opened with that token at once (4401). */
  readonly sessions?: SessionWatch;
  /**
   * Extension and skills of an agent user, as stored now: read at every connect, before `ready`
   * logs the agent in and before `next-task`, so an admin's change applies without a restart.
   */
  readonly agentProfile: (user: AuthUser) => Promise<{ extension: string; skills: readonly string[] } | undefined>;
  /** The caller's earlier work orders for the screen-pop, newest first. */
  readonly callerHistory: (phone: string, viewer: AuthUser) => Promise<readonly CallerHistoryOrderJson[]>;
  /** Open callback requests shown on every desktop. */
  readonly openCallbacks: () => Promise<readonly CallbackRequest[]>;
  readonly hangupAgentCall: (agentId: string) => Promise<boolean>;
  /**
   * How the extension is registered now, said in `hello`. Absent when a browser cannot take calls
   * (WEBRTC_MEDIA=false): `hello` then has no `phone` and the page does not start its phone by itself.
   */
  readonly registeredPhone?: (extension: string) => RegisteredPhone;
  /** Preview dialing for callback staff (next-task, dial, release-task). Absent: those commands are refused. */
  readonly preview?: DesktopPreview;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly heartbeatMs: number;
  /** A dropped desktop puts its agent not-ready after this long (never in the middle of a call). */
  readonly graceMs: number;
}

interface Desk {
  user: AuthUser;
  readonly agentId: string;
  /** As last read from `agentProfile`. */
  extension: string;
  skills: readonly string[];
  readonly sockets: Set<WebSocket>;
  grace: Timer | undefined;
}

/**
 * `/ws/agent`: the agent desktop. Authenticated by the login token (`?token=` or
 * `Authorization: Bearer`). Pushes state changes, offers with the caller's history, connected/ended;
 * takes ready / not-ready / end-wrap-up / hang-up / logout. Callback staff (skill `callback`) also
 * take preview tasks: `next-task` → `task` (or `no-task`), `dial` → `dialing`, `connected`, `ended`
 * (calls/preview-tasks.ts); `ready` or `release-task` give an unfinished task back. Heartbeats find dead sockets; a desk
 * with no socket left goes not-ready after `graceMs`, or when its current call ends.
 */
export class AgentDesktopServer {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 16 * 1024 });
  private readonly desks = new Map<string, Desk>();
  private readonly alive = new WeakSet<WebSocket>();
  private readonly heartbeat: NodeJS.Timeout;
  private readonly log: Logger;
  private readonly offAcd: (() => void)[] = [];
  private readonly sessionSockets: SessionSockets;
  private closed = false;

  constructor(
    server: Server,
    private readonly deps: AgentDesktopDeps,
  ) {
    this.log = deps.logger.child({ component: 'agent-desktop' });
    server.on('upgrade', (req, socket, head) => {
      if (upgradeUrl(req)?.pathname !== '/ws/agent') return;
      this.wss.handleUpgrade(req, socket, head, (ws) => {
        this.accept(ws, req).catch((err: unknown) => {
          // e.g. the database did not answer the profile look-up: this desktop only, never the process.
          this.log.error('desktop connection failed', { error: errorText(err) });
          ws.close(1011, 'server error');
        });
      });
    });
    this.heartbeat = setInterval(() => {
      this.beat();
    }, deps.heartbeatMs);
    this.heartbeat.unref();
    this.sessionSockets = new SessionSockets({
      verifyToken: deps.verifyToken,
      sessions: deps.sessions,
      clock: deps.clock,
      logger: this.log,
      recheckMs: deps.heartbeatMs,
      onRevoked: (ws) => {
        this.onRevoked(ws);
      },
    });
    const onState = (e: AgentStateEvent): void => {
      this.onAgentState(e);
    };
    const onOffer = (...[e]: AcdEvents['offer']): void => {
      void this.onOffer(e.agentId, e.callId, e.queue, e.callerNumber, e.waitedMs, e.orderCode);
    };
    const onWithdrawn = (...[e]: AcdEvents['offer-withdrawn']): void => {
      this.push(e.agentId, { type: 'offer-withdrawn', callId: e.callId, reason: e.reason });
    };
    deps.acd.observer.on('agent-state', onState).on('offer', onOffer).on('offer-withdrawn', onWithdrawn);
    this.offAcd.push(() => {
      deps.acd.observer.off('agent-state', onState).off('offer', onOffer).off('offer-withdrawn', onWithdrawn);
    });
    if (deps.preview !== undefined) this.followPreview(deps.preview);
  }

  /** Preview call progress goes to the agent's desktop as `dialing`, `connected`, `ended`. */
  private followPreview(preview: DesktopPreview): void {
    const onDialing = (agentId: string, taskId: string, who: 'agent' | 'resident'): void => {
      this.push(agentId, { type: 'dialing', taskId, who });
    };
    const onConnected = (agentId: string, taskId: string, callId: string): void => {
      this.push(agentId, { type: 'connected', callId, taskId });
    };
    const onPreviewEnded = (agentId: string, taskId: string, end: PreviewCallEnd): void => {
      const frame: DesktopPush =
        end.kind === 'talked'
          ? { type: 'ended', callId: end.callId, taskId, result: end.kind }
          : { type: 'ended', callId: null, taskId, result: end.kind, failure: end.failure };
      this.push(agentId, frame);
    };
    preview.observer.on('dialing', onDialing).on('connected', onConnected).on('ended', onPreviewEnded);
    this.offAcd.push(() => {
      preview.observer.off('dialing', onDialing).off('connected', onConnected).off('ended', onPreviewEnded);
    });
  }

  /** Tells every desktop the open callback requests (after one is added or taken). */
  async broadcastCallbacks(): Promise<void> {
    const items = await this.deps.openCallbacks().catch((err: unknown) => {
      this.log.error('open callbacks look-up failed', { error: errorText(err) });
      return undefined;
    });
    if (items === undefined) return;
    const frame: DesktopPush = { type: 'callbacks', items: items.map(toCallbackItemJson) };
    for (const desk of this.desks.values()) this.send(desk, frame);
  }

  get connectedAgents(): number {
    return [...this.desks.values()].filter((d) => d.sockets.size > 0).length;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.heartbeat);
    this.sessionSockets.close();
    for (const off of this.offAcd.splice(0)) off();
    for (const desk of this.desks.values()) {
      if (desk.grace) this.deps.clock.clearTimeout(desk.grace);
      for (const ws of desk.sockets) ws.close(1001, 'server shutting down');
    }
    this.wss.close();
  }

  /**
   * Frames a desktop sends while its token is still being checked are kept and handled, in order,
   * once the desk is known (ws drops messages that arrive with no listener).
   */
  private async accept(ws: WebSocket, req: IncomingMessage): Promise<void> {
    let resolveDesk: (desk: Desk | undefined) => void = () => undefined;
    const deskReady = new Promise<Desk | undefined>((resolve) => {
      resolveDesk = resolve;
    });
    ws.on('message', (data: RawData) => {
      deskReady
        .then((desk) => (desk ? this.onMessage(desk, ws, data) : undefined))
        .catch((err: unknown) => {
          this.log.error('desktop command failed', { error: errorText(err) });
        });
    });
    const desk = await this.authenticate(ws, req);
    resolveDesk(desk);
  }

  private async authenticate(ws: WebSocket, req: IncomingMessage): Promise<Desk | undefined> {
    const token = tokenOf(req);
    let user: AuthUser | undefined;
    try {
      user = token === undefined ? undefined : await this.deps.verifyToken(token);
    } catch (err) {
      // The check failed (database down), the token may well be good: 1011 lets the desktop retry
      // (4401 would sign the agent out for a hiccup).
      this.log.error('desktop token check failed', { error: errorText(err) });
      ws.close(1011, 'could not verify the token, try again');
      return undefined;
    }
    if (!user || token === undefined) {
      ws.close(4401, token === undefined ? 'missing token' : 'token expired or unknown');
      return undefined;
    }
    if (user.mustChangePassword === true) {
      ws.close(PASSWORD_CHANGE_REQUIRED_CLOSE.code, PASSWORD_CHANGE_REQUIRED_CLOSE.reason);
      return undefined;
    }
    if (user.role !== 'agent') {
      ws.close(4403, `role ${user.role} has no agent desktop`);
      return undefined;
    }
    const profile = await this.deps.agentProfile(user);
    if (!profile) {
      ws.close(4403, 'this user has no extension');
      return undefined;
    }
    // The socket may have closed during the look-ups above; its 'close' has then fired already, so
    // attaching it now would leave a dead socket on the desk (no grace timer, offers to nobody).
    if (ws.readyState !== ws.OPEN) return undefined;
    const agentId = String(user.id);
    let desk = this.desks.get(agentId);
    if (!desk) {
      desk = { user, agentId, extension: profile.extension, skills: profile.skills, sockets: new Set(), grace: undefined };
      this.desks.set(agentId, desk);
    } else {
      // The desk outlives its sockets: what an admin changed since (skills) comes with this sign-in.
      desk.user = user;
      desk.extension = profile.extension;
      desk.skills = profile.skills;
    }
    if (desk.grace) {
      this.deps.clock.clearTimeout(desk.grace);
      desk.grace = undefined;
    }
    desk.sockets.add(ws);
    this.alive.add(ws);
    this.sessionSockets.track(ws, token, user);
    const owner = desk;
    ws.on('pong', () => this.alive.add(ws));
    ws.on('close', () => {
      this.onClose(owner, ws);
    });
    ws.on('error', (err) => {
      this.log.warn('desktop socket error', { agentId, error: err.message });
    });
    const snap = this.deps.acd.agent(agentId);
    const hello: DesktopPush = { type: 'hello', agentId, username: user.username, extension: desk.extension, state: snap?.state ?? 'logged-out', reason: snap?.reason ?? null };
    if (this.deps.registeredPhone !== undefined) hello.phone = this.deps.registeredPhone(desk.extension);
    if (snap !== undefined) {
      hello.inStateS = Math.max(0, Math.round((this.deps.clock.now() - snap.since) / 1000));
      hello.callId = snap.currentCallId;
      const left = this.wrapUpLeftS(agentId);
      if (left !== undefined) hello.wrapUpLeftS = left;
    }
    this.send(desk, hello, ws);
    this.send(desk, { type: 'callbacks', items: (await this.deps.openCallbacks()).map(toCallbackItemJson) }, ws);
    this.log.info('desktop connected', { agentId });
    return desk;
  }

  private async onMessage(desk: Desk, ws: WebSocket, data: RawData): Promise<void> {
    // Closing (its session ended, or the server drains): frames still in flight are not commands.
    if (ws.readyState !== ws.OPEN || !desk.sockets.has(ws)) return;
    let command: DesktopCommand;
    try {
      const text = Buffer.isBuffer(data) ? data.toString('utf8') : Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data).toString('utf8');
      const parsed = desktopCommand.safeParse(JSON.parse(text));
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        this.send(desk, { type: 'error', code: 'BAD_MESSAGE', message: `${issue?.path.join('.') || 'message'}: ${issue?.message ?? 'invalid'}` }, ws);
        return;
      }
      command = parsed.data;
    } catch {
      this.send(desk, { type: 'error', code: 'BAD_MESSAGE', message: 'not JSON' }, ws);
      return;
    }
    try {
      await this.execute(desk, command);
      this.send(desk, command.type === 'ping' ? { type: 'pong' } : { type: 'ack', for: command.type }, ws);
    } catch (err) {
      const code = err instanceof AppError ? err.code : 'FAILED';
      this.send(desk, { type: 'error', code, message: err instanceof Error ? err.message : String(err) }, ws);
    }
  }

  private async execute(desk: Desk, command: DesktopCommand): Promise<void> {
    const { acd } = this.deps;
    const state = acd.agent(desk.agentId)?.state ?? AgentState.LoggedOut;
    switch (command.type) {
      case 'ready':
        // Ready while holding a preview task gives the task back (release sets the agent ready).
        if (this.deps.preview?.holds(desk.agentId) === true) await this.deps.preview.release(desk.agentId);
        else if (state === AgentState.LoggedOut) {
          await this.refreshProfile(desk);
          // Another desktop of the agent may have logged it in during the look-up.
          if ((acd.agent(desk.agentId)?.state ?? AgentState.LoggedOut) === AgentState.LoggedOut) acd.login({ agentId: desk.agentId, extension: desk.extension, skills: desk.skills });
          else acd.setReady(desk.agentId);
        } else acd.setReady(desk.agentId);
        return;
      case 'not-ready':
        acd.setNotReady(desk.agentId, command.reason);
        return;
      case 'end-wrap-up':
        acd.endWrapUp(desk.agentId);
        return;
      case 'hangup':
        if (await this.deps.preview?.hangup(desk.agentId)) return;
        if (!(await this.deps.hangupAgentCall(desk.agentId))) throw new AppError('NO_CALL', 'there is no call to hang up');
        return;
      case 'logout':
        acd.logout(desk.agentId);
        return;
      case 'ping':
        return;
      case 'next-task': {
        const preview = this.previewOrThrow();
        await this.refreshProfile(desk);
        const task = await preview.next({ agentId: desk.agentId, extension: desk.extension, skills: desk.skills });
        this.send(desk, task === undefined ? { type: 'no-task' } : { type: 'task', ...task });
        return;
      }
      case 'dial':
        await this.previewOrThrow().dial(desk.agentId, command.taskId);
        return;
      case 'release-task':
        await this.previewOrThrow().release(desk.agentId, command.taskId);
        return;
    }
  }

  /** Reads the agent's extension and skills again (an admin may have changed them since the desk was made). */
  private async refreshProfile(desk: Desk): Promise<void> {
    const profile = await this.deps.agentProfile(desk.user);
    if (profile === undefined) throw new AppError('NO_EXTENSION', 'this user has no extension');
    desk.extension = profile.extension;
    desk.skills = profile.skills;
  }

  private previewOrThrow(): DesktopPreview {
    if (this.deps.preview === undefined) throw new AppError('NO_PREVIEW', 'preview dialing is not enabled on this server');
    return this.deps.preview;
  }

  private onClose(desk: Desk, ws: WebSocket): void {
    // Already taken off the desk when its session ended (onRevoked).
    if (!desk.sockets.delete(ws)) return;
    if (desk.sockets.size > 0 || this.closed) return;
    this.log.info('desktop disconnected', { agentId: desk.agentId, graceMs: this.deps.graceMs });
    desk.grace = this.deps.clock.setTimeout(() => {
      desk.grace = undefined;
      this.goneAway(desk, 'desktop-disconnected');
    }, this.deps.graceMs);
  }

  /**
   * The socket's session ended (logout, expiry): the desk no longer has it. With no socket left,
   * nobody may act for the agent: not-ready now (no grace), so it is offered nothing more.
   */
  private onRevoked(ws: WebSocket): void {
    for (const desk of this.desks.values()) {
      if (!desk.sockets.delete(ws)) continue;
      if (desk.sockets.size > 0 || this.closed) return;
      if (desk.grace) this.deps.clock.clearTimeout(desk.grace);
      desk.grace = undefined;
      this.goneAway(desk, 'signed-out');
      return;
    }
  }

  /**
   * The desk is gone (past the grace period, or signed out): not-ready now, or once its call is
   * over. A call still ringing is withdrawn: the caller goes to the next agent. Runs from timers and
   * ACD events, so a refusal is logged here, never thrown.
   */
  private goneAway(desk: Desk, reason: 'desktop-disconnected' | 'signed-out'): void {
    if (desk.sockets.size > 0) return;
    try {
      // A preview task nobody is reading goes back to the pool (a call in progress keeps it).
      this.deps.preview?.abandon(desk.agentId);
      const state = this.deps.acd.agent(desk.agentId)?.state;
      if (state === AgentState.Ready || state === AgentState.WrapUp || state === AgentState.Offered) {
        this.deps.acd.setNotReady(desk.agentId, reason);
      }
    } catch (err) {
      this.log.error('could not put a gone desktop not-ready', { agentId: desk.agentId, error: errorText(err) });
    }
  }

  private onAgentState(e: AgentStateEvent): void {
    const desk = this.desks.get(e.agentId);
    const callId = this.deps.acd.agent(e.agentId)?.currentCallId ?? null;
    const frame: DesktopPush = { type: 'state', state: e.to, reason: e.reason, at: new Date(e.at).toISOString(), callId };
    const left = e.to === AgentState.WrapUp ? this.wrapUpLeftS(e.agentId) : undefined;
    if (left !== undefined) frame.wrapUpLeftS = left;
    this.push(e.agentId, frame);
    if (e.to === AgentState.Busy && callId !== null) this.push(e.agentId, { type: 'connected', callId });
    if (e.from === AgentState.Busy && callId !== null) this.push(e.agentId, { type: 'ended', callId });
    // A desk that went away during a call goes not-ready as soon as the call is over.
    if (desk && desk.sockets.size === 0 && desk.grace === undefined && (e.to === AgentState.WrapUp || e.to === AgentState.Ready)) this.goneAway(desk, 'desktop-disconnected');
  }

  private async onOffer(agentId: string, callId: string, queue: string, callerNumber: string, waitedMs: number, orderCode: string | null): Promise<void> {
    const desk = this.desks.get(agentId);
    if (!desk) return;
    const history = await this.deps.callerHistory(callerNumber, desk.user).catch((err: unknown) => {
      this.log.error('caller history failed', { callId, error: err instanceof Error ? err.message : String(err) });
      return [];
    });
    this.send(desk, { type: 'offer', callId, queue, callerNumber, waitedS: Math.round(waitedMs / 100) / 10, history, orderCode });
  }

  /** Seconds left of the agent's timed wrap-up; undefined when it is in none. */
  private wrapUpLeftS(agentId: string): number | undefined {
    const endsAt = this.deps.acd.wrapUpEndsAt?.(agentId) ?? null;
    return endsAt === null ? undefined : Math.max(0, Math.round((endsAt - this.deps.clock.now()) / 1000));
  }

  private push(agentId: string, frame: DesktopPush): void {
    const desk = this.desks.get(agentId);
    if (desk) this.send(desk, frame);
  }

  private send(desk: Desk, frame: DesktopPush, only?: WebSocket): void {
    const text = JSON.stringify(frame);
    for (const ws of only ? [only] : desk.sockets) {
      if (ws.readyState === ws.OPEN) ws.send(text);
    }
  }

  private beat(): void {
    for (const desk of this.desks.values()) {
      for (const ws of desk.sockets) {
        if (!this.alive.has(ws)) {
          ws.terminate();
          continue;
        }
        this.alive.delete(ws);
        ws.ping();
      }
    }
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function tokenOf(req: IncomingMessage): string | undefined {
  const fromQuery = upgradeUrl(req)?.searchParams.get('token');
  if (fromQuery) return fromQuery;
  const header = req.headers.authorization;
  const match = header === undefined ? null : /^Bearer\s+(\S+)$/i.exec(header);
  return match?.[1];
}
