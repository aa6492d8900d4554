import { expect } from 'chai';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import sinon from 'sinon';
import { WebSocket } from 'ws';
import { Acd } from '../../../src/acd/acd.js';
import { AgentState } from '../../../src/acd/agent.js';
import { parseQueues } from '../../../src/acd/parse-queues.js';
import type { AuthUser } from '../../../src/api/auth-context.js';
import { IdentityService } from '../../../src/identity/identity-service.js';
import { silentLogger } from '../../../src/logging/logger.js';
import type { LiveBoardEvents, LiveBoardSnapshot } from '../../../src/metrics/live-board.js';
import type { Clock, Timer } from '../../../src/shared/clock.js';
import { TypedEmitter } from '../../../src/shared/typed-emitter.js';
import { AgentDesktopServer } from '../../../src/ws/agent-desktop-server.js';
import { WallboardServer } from '../../../src/ws/wallboard-server.js';
import { InMemorySessionRepository, InMemoryUserRepository } from '../identity/in-memory-identity-repositories.js';
import { MemoryAcdRecords, TEST_QUEUES_YAML } from '../acd/acd-test-kit.js';

const HOUR = 3_600_000;

/** A clock whose timers run only when the test moves time on. */
class ManualClock implements Clock {
  private time = Date.UTC(2024, 4, 1, 8, 0, 0);
  private seq = 0;
  private readonly timers = new Map<number, { at: number; fn: () => void }>();

  now(): number {
    return this.time;
  }

  setTimeout(fn: () => void, ms: number): Timer {
    const id = ++this.seq;
    this.timers.set(id, { at: this.time + ms, fn });
    return id as unknown as Timer;
  }

  clearTimeout(timer: Timer): void {
    this.timers.delete(timer as unknown as number);
  }

  advance(ms: number): void {
    this.time += ms;
    for (const [id, t] of [...this.timers]) {
      if (t.at <= this.time && this.timers.delete(id)) t.fn();
    }
  }
}

interface Socket {
  readonly ws: WebSocket;
  readonly frames: { type: string; [k: string]: unknown }[];
  readonly closed: Promise<{ code: number; reason: string }>;
}

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 3000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** What a socket did within `ms`: closed (code, reason) or still open. */
async function closedWithin(socket: Socket, ms: number): Promise<{ code: number; reason: string } | 'open'> {
  return Promise.race([socket.closed, new Promise<'open'>((resolve) => setTimeout(() => { resolve('open'); }, ms))]);
}

describe('sockets end with their session (logout, expiry, user no longer valid)', () => {
  const cleanups: (() => Promise<void> | void)[] = [];

  afterEach(async () => {
    for (const c of cleanups.splice(0)) await c();
    sinon.restore();
  });

  async function rig(options: { heartbeatMs?: number } = {}) {
    const clock = new ManualClock();
    const users = new InMemoryUserRepository();
    const identity = new IdentityService({ users, sessions: new InMemorySessionRepository(), clock, sipRealm: 'hotline12345', tokenTtlMs: 12 * HOUR, logger: silentLogger() });
    const agent = await identity.createUser({ username: 'wang.li', password: 'agent-secret-1', role: 'agent', extension: '8001', skills: ['general'] });
    const supervisor = await identity.createUser({ username: 'zhao.min', password: 'super-secret-1', role: 'supervisor' });
    const acd = new Acd({ clock, logger: silentLogger(), records: new MemoryAcdRecords(), queues: parseQueues(TEST_QUEUES_YAML, 'test-queues.yaml') });
    const verifyToken = sinon.spy(async (token: string): Promise<AuthUser | undefined> => {
      const u = await identity.verifyToken(token);
      return u && { id: u.id, username: u.username, role: u.role, extension: u.extension ?? undefined };
    });
    const server: Server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const desktops = new AgentDesktopServer(server, {
      acd,
      verifyToken,
      sessions: identity,
      agentProfile: () => Promise.resolve({ extension: '8001', skills: ['general'] }),
      callerHistory: () => Promise.resolve([]),
      openCallbacks: () => Promise.resolve([]),
      hangupAgentCall: () => Promise.resolve(false),
      clock,
      logger: silentLogger(),
      heartbeatMs: options.heartbeatMs ?? 60_000,
      graceMs: 30_000,
    });
    const board = { snapshot: { at: 'now' } as unknown as LiveBoardSnapshot, observer: new TypedEmitter<LiveBoardEvents>() };
    const wallboard = new WallboardServer(server, { board, verifyToken, sessions: identity, clock, logger: silentLogger(), recheckMs: options.heartbeatMs ?? 60_000 });
    const { port } = server.address() as AddressInfo;
    const sockets: WebSocket[] = [];
    cleanups.push(async () => {
      for (const ws of sockets) ws.terminate();
      desktops.close();
      wallboard.close();
      acd.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => { resolve(); }));
    });
    const open = async (path: string, token: string): Promise<Socket> => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}${path}?token=${token}`);
      sockets.push(ws);
      const frames: Socket['frames'] = [];
      ws.on('message', (data: Buffer) => frames.push(JSON.parse(data.toString('utf8')) as { type: string }));
      const closed = new Promise<{ code: number; reason: string }>((resolve) => {
        ws.on('close', (code, reason) => { resolve({ code, reason: reason.toString('utf8') }); });
      });
      await until(() => frames.length > 0, `the first frame on ${path}`);
      return { ws, frames, closed };
    };
    return { clock, identity, acd, verifyToken, agent, supervisor, users, open };
  }

  it('when the agent logs out, its desktop closes with 4401 "signed out" at once, the agent is not-ready and is offered no call', async () => {
    const r = await rig();
    const { token } = await r.identity.login('wang.li', 'agent-secret-1');
    const desk = await r.open('/ws/agent', token);
    desk.ws.send(JSON.stringify({ type: 'ready' }));
    await until(() => desk.frames.some((f) => f.type === 'state' && f.state === 'ready'), 'ready');

    await r.identity.revokeToken(token);

    expect(await closedWithin(desk, 1000)).to.deep.equal({ code: 4401, reason: 'signed out' });
    const agentId = String(r.agent.id);
    expect(r.acd.agent(agentId)).to.include({ state: AgentState.NotReady, reason: 'signed-out' });
    r.acd.enqueue({ callId: 'c1', queue: 'general', callerNumber: '13812345678' });
    expect(r.acd.agent(agentId)?.state).to.equal(AgentState.NotReady);
    expect(r.acd.waiting('general')).to.deep.equal(['c1']);
  });

  it('when a logged-out desktop still sends ready before the close completes, it is not taken', async () => {
    const r = await rig();
    const { token } = await r.identity.login('wang.li', 'agent-secret-1');
    const desk = await r.open('/ws/agent', token);
    // The frame is on the wire when the logout is handled.
    desk.ws.send(JSON.stringify({ type: 'ready' }));
    await r.identity.revokeToken(token);
    await closedWithin(desk, 1000);
    expect(r.acd.agent(String(r.agent.id))?.state ?? AgentState.LoggedOut).to.not.equal(AgentState.Ready);
  });

  it('when another session of the same agent logs out, only the sockets of that token close', async () => {
    const r = await rig();
    const first = await r.identity.login('wang.li', 'agent-secret-1');
    const second = await r.identity.login('wang.li', 'agent-secret-1');
    const a = await r.open('/ws/agent', first.token);
    const b = await r.open('/ws/agent', second.token);
    await r.identity.revokeToken(first.token);
    expect(await closedWithin(a, 1000)).to.deep.equal({ code: 4401, reason: 'signed out' });
    expect(await closedWithin(b, 100)).to.equal('open');
  });

  it('when the token expires, the socket closes with 4401 "token expired" at the expiry time', async () => {
    const r = await rig();
    const { token } = await r.identity.login('wang.li', 'agent-secret-1');
    const desk = await r.open('/ws/agent', token);
    await until(() => desk.frames.some((f) => f.type === 'callbacks'), 'hello');
    r.clock.advance(12 * HOUR - 1000);
    expect(await closedWithin(desk, 100)).to.equal('open');
    r.clock.advance(1000);
    expect(await closedWithin(desk, 1000)).to.deep.equal({ code: 4401, reason: 'token expired' });
  });

  it('when a supervisor logs out, the wallboard opened with that token closes with 4401', async () => {
    const r = await rig();
    const { token } = await r.identity.login('zhao.min', 'super-secret-1');
    const wall = await r.open('/ws/wallboard', token);
    await r.identity.revokeToken(token);
    expect(await closedWithin(wall, 1000)).to.deep.equal({ code: 4401, reason: 'signed out' });
  });

  it('when the session ends where no event reaches this process (another process, a user made inactive), the re-check closes the socket', async () => {
    const r = await rig({ heartbeatMs: 50 });
    const { token } = await r.identity.login('wang.li', 'agent-secret-1');
    const desk = await r.open('/ws/agent', token);
    const wall = await r.open('/ws/wallboard', (await r.identity.login('zhao.min', 'super-secret-1')).token);
    // The user is made inactive behind the service's back: no event.
    const i = r.users.rows.findIndex((u) => u.id === r.agent.id);
    const stored = r.users.rows[i];
    if (stored === undefined) throw new Error('no agent');
    r.users.rows[i] = { ...stored, active: false };
    expect(await closedWithin(desk, 2000)).to.deep.equal({ code: 4401, reason: 'session ended' });
    expect(await closedWithin(wall, 100)).to.equal('open');
  });
  it('when an admin disables the agent, every desktop of it closes with 4401 "account disabled" at once and the agent is not-ready', async () => {
    const r = await rig();
    const first = await r.open('/ws/agent', (await r.identity.login('wang.li', 'agent-secret-1')).token);
    const second = await r.open('/ws/agent', (await r.identity.login('wang.li', 'agent-secret-1')).token);
    const wall = await r.open('/ws/wallboard', (await r.identity.login('zhao.min', 'super-secret-1')).token);
    first.ws.send(JSON.stringify({ type: 'ready' }));
    await until(() => first.frames.some((f) => f.type === 'state' && f.state === 'ready'), 'ready');

    await r.identity.updateUser(r.agent.id, { active: false }, { id: r.supervisor.id });

    expect(await closedWithin(first, 1000)).to.deep.equal({ code: 4401, reason: 'account disabled' });
    expect(await closedWithin(second, 1000)).to.deep.equal({ code: 4401, reason: 'account disabled' });
    expect(await closedWithin(wall, 100)).to.equal('open');
    expect(r.acd.agent(String(r.agent.id))?.state).to.equal(AgentState.NotReady);
  });

  it('when an admin sets the agent a new login password, its desktop closes with 4401 "password changed"', async () => {
    const r = await rig();
    const desk = await r.open('/ws/agent', (await r.identity.login('wang.li', 'agent-secret-1')).token);
    await r.identity.setPassword(r.agent.id, 'agent-secret-2', { id: r.supervisor.id });
    expect(await closedWithin(desk, 1000)).to.deep.equal({ code: 4401, reason: 'password changed' });
  });

  it('when a supervisor’s password is set keeping one of its tokens, the wallboard of that token stays and the one of another token closes', async () => {
    const r = await rig();
    const mine = (await r.identity.login('zhao.min', 'super-secret-1')).token;
    const kept = await r.open('/ws/wallboard', mine);
    const other = await r.open('/ws/wallboard', (await r.identity.login('zhao.min', 'super-secret-1')).token);
    await r.identity.setPassword(r.supervisor.id, 'super-secret-2', { id: r.supervisor.id }, { keepToken: mine });
    expect(await closedWithin(other, 1000)).to.deep.equal({ code: 4401, reason: 'password changed' });
    expect(await closedWithin(kept, 100)).to.equal('open');
  });
  it('when an admin signs the agent out everywhere or the agent ends a session from its list, the sockets close at once with the reason', async () => {
    const r = await rig();
    const listed = (await r.identity.login('wang.li', 'agent-secret-1')).token;
    const desk = await r.open('/ws/agent', listed);
    const id = (await r.identity.listSessions(r.agent.id, listed))[0]?.id ?? '';
    await r.identity.endSession(r.agent.id, id);
    expect(await closedWithin(desk, 1000)).to.deep.equal({ code: 4401, reason: 'session ended from the sessions list' });
    const again = await r.open('/ws/agent', (await r.identity.login('wang.li', 'agent-secret-1')).token);
    await r.identity.endAllSessions(r.agent.id, { id: r.supervisor.id });
    expect(await closedWithin(again, 1000)).to.deep.equal({ code: 4401, reason: 'signed out by an admin' });
  });

  it('when the agent changes its own password, the desktop of another session closes and the one it changed it from stays', async () => {
    const r = await rig();
    const mine = (await r.identity.login('wang.li', 'agent-secret-1')).token;
    const kept = await r.open('/ws/agent', mine);
    const other = await r.open('/ws/agent', (await r.identity.login('wang.li', 'agent-secret-1')).token);
    await r.identity.changeOwnPassword(r.agent.id, 'agent-secret-1', 'agent-secret-2', { token: mine });
    expect(await closedWithin(other, 1000)).to.deep.equal({ code: 4401, reason: 'password changed' });
    expect(await closedWithin(kept, 100)).to.equal('open');
  });
});
