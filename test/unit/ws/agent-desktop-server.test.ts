import { expect } from 'chai';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import sinon from 'sinon';
import { WebSocket } from 'ws';
import { Acd } from '../../../src/acd/acd.js';
import { parseQueues } from '../../../src/acd/parse-queues.js';
import type { AuthUser } from '../../../src/api/auth-context.js';
import { IdentityService } from '../../../src/identity/identity-service.js';
import { silentLogger } from '../../../src/logging/logger.js';
import type { CallbackRequest } from '../../../src/acd/acd-record-repository.js';
import { systemClock, type Clock, type Timer } from '../../../src/shared/clock.js';
import type { CallerHistoryOrderJson } from '../../../src/shared/wire/agent-desk.js';
import { AgentDesktopServer, type AgentDesktopDeps } from '../../../src/ws/agent-desktop-server.js';
import { MemoryAcdRecords, TEST_QUEUES_YAML } from '../acd/acd-test-kit.js';
import { InMemorySessionRepository, InMemoryUserRepository } from '../identity/in-memory-identity-repositories.js';

const HOUR = 3_600_000;

const AGENT: AuthUser = { id: 7, username: 'wang.li', role: 'agent', extension: '8001' };
const SUPERVISOR: AuthUser = { id: 2, username: 'zhao.min', role: 'supervisor' };
const NO_EXTENSION: AuthUser = { id: 9, username: 'new.agent', role: 'agent' };
const TOKENS: Record<string, AuthUser> = { 'agent-token': AGENT, 'supervisor-token': SUPERVISOR, 'no-ext-token': NO_EXTENSION };
const HISTORY: CallerHistoryOrderJson[] = [
  { code: '20240501-000001', requestType: 'complaint', categoryId: 3, content: '噪音扰民', state: 'closed', light: null, urgency: 'normal', currentUnitId: 1, createdAt: '2024-05-01T02:00:00.000Z' },
];
const CALLBACKS: CallbackRequest[] = [{ id: 1, callId: 'call-9', callerNumber: '13900001111', queue: 'general', requestedAt: new Date('2024-05-01T03:00:00.000Z'), status: 'open', handledBy: null }];
/** CALLBACKS as the frame carries them: the time as ISO text. */
const CALLBACK_ITEMS = [{ id: 1, callId: 'call-9', callerNumber: '13900001111', queue: 'general', requestedAt: '2024-05-01T03:00:00.000Z', status: 'open', handledBy: null }];

/** The real clock, shifted by `advance()`, keeping its timers so afterEach can clear them. */
class TestClock implements Clock {
  private offset = 0;
  private readonly timers = new Map<Timer, () => void>();

  now(): number {
    return Date.now() + this.offset;
  }

  setTimeout(fn: () => void, ms: number): Timer {
    const handle = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, ms);
    const timer = handle as unknown as Timer;
    this.timers.set(timer, fn);
    return timer;
  }

  clearTimeout(timer: Timer): void {
    this.timers.delete(timer);
    clearTimeout(timer as unknown as NodeJS.Timeout);
  }

  advance(ms: number): void {
    this.offset += ms;
  }

  /** Runs every pending timer now (as if their delay had passed). */
  fireAll(): void {
    for (const [timer, fn] of [...this.timers]) {
      this.clearTimeout(timer);
      fn();
    }
  }

  clearAll(): void {
    for (const timer of [...this.timers.keys()]) this.clearTimeout(timer);
  }
}

type Frame = Record<string, unknown> & { type: string };

/** A desktop: a real `ws` client keeping every frame it received. */
class Desktop {
  readonly frames: Frame[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private waiters: (() => void)[] = [];

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer) => {
      this.frames.push(JSON.parse(data.toString('utf8')) as Frame);
      for (const wake of this.waiters.splice(0)) wake();
    });
    this.closed = new Promise((resolve) => {
      ws.on('close', (code, reason) => {
        resolve({ code, reason: reason.toString('utf8') });
        for (const wake of this.waiters.splice(0)) wake();
      });
    });
  }

  /** The first frame of `type` (after `after` frames of that type were already taken), waiting up to 2 s. */
  async next(type: string, skip = 0): Promise<Frame> {
    const deadline = Date.now() + 2000;
    for (;;) {
      const found = this.frames.filter((f) => f.type === type)[skip];
      if (found !== undefined) return found;
      if (Date.now() > deadline || this.ws.readyState === WebSocket.CLOSED) {
        throw new Error(`no "${type}" frame; got ${JSON.stringify(this.frames.map((f) => f.type))}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 50);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Sends `command` and waits for the reply frame (ack, pong or error) it causes. */
  async command(command: unknown): Promise<Frame> {
    const seen = this.frames.length;
    this.ws.send(typeof command === 'string' ? command : JSON.stringify(command));
    const deadline = Date.now() + 2000;
    for (;;) {
      const reply = this.frames.slice(seen).find((f) => f.type === 'ack' || f.type === 'error' || f.type === 'pong');
      if (reply !== undefined) return reply;
      if (Date.now() > deadline) throw new Error(`no reply to ${JSON.stringify(command)}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}

interface Rig {
  readonly acd: Acd;
  readonly clock: TestClock;
  readonly desktops: AgentDesktopServer;
  readonly deps: AgentDesktopDeps;
  readonly hangupAgentCall: sinon.SinonStub<[string], Promise<boolean>>;
  readonly callerHistory: sinon.SinonStub<[string, AuthUser], Promise<readonly CallerHistoryOrderJson[]>>;
  connect(query?: string, options?: { autoPong?: boolean; headers?: Record<string, string> }): Promise<Desktop>;
}

const cleanups: (() => Promise<void> | void)[] = [];

async function rig(options: { graceMs?: number; heartbeatMs?: number; agentProfile?: AgentDesktopDeps['agentProfile']; registeredPhone?: AgentDesktopDeps['registeredPhone'] } = {}): Promise<Rig> {
  const clock = new TestClock();
  const acd = new Acd({ clock, logger: silentLogger(), records: new MemoryAcdRecords(), queues: parseQueues(TEST_QUEUES_YAML, 'test-queues.yaml') });
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const hangupAgentCall = sinon.stub<[string], Promise<boolean>>().resolves(true);
  const callerHistory = sinon.stub<[string, AuthUser], Promise<readonly CallerHistoryOrderJson[]>>().resolves(HISTORY);
  const deps: AgentDesktopDeps = {
    acd,
    verifyToken: (token) => Promise.resolve(TOKENS[token]),
    agentProfile: options.agentProfile ?? ((user) => Promise.resolve(user.extension === undefined ? undefined : { extension: user.extension, skills: ['general', 'complaint'] })),
    callerHistory,
    openCallbacks: () => Promise.resolve(CALLBACKS),
    hangupAgentCall,
    ...(options.registeredPhone === undefined ? {} : { registeredPhone: options.registeredPhone }),
    clock,
    logger: silentLogger(),
    heartbeatMs: options.heartbeatMs ?? 60_000,
    graceMs: options.graceMs ?? 80,
  };
  const desktops = new AgentDesktopServer(server, deps);
  const clients: WebSocket[] = [];
  cleanups.push(async () => {
    for (const c of clients) c.terminate();
    desktops.close();
    acd.close();
    clock.clearAll();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => { resolve(); }));
  });
  return {
    acd,
    clock,
    desktops,
    deps,
    hangupAgentCall,
    callerHistory,
    connect: async (query = '?token=agent-token', opts = {}) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/ws/agent${query}`, { autoPong: opts.autoPong ?? true, headers: opts.headers ?? {} });
      clients.push(ws);
      const desktop = new Desktop(ws);
      await new Promise<void>((resolve, reject) => {
        ws.once('open', () => { resolve(); });
        ws.once('error', reject);
      });
      return desktop;
    },
  };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits up to 2 s for `check`. */
async function eventually(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 2000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

describe('AgentDesktopServer', () => {
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
    sinon.restore();
  });

  it('when the token is missing, it closes the socket with 4401 "missing token"', async () => {
    const r = await rig();
    const desktop = await r.connect('');
    expect(await desktop.closed).to.deep.equal({ code: 4401, reason: 'missing token' });
  });

  it('when the token is unknown or expired, it closes the socket with 4401', async () => {
    const r = await rig();
    const desktop = await r.connect('?token=stale');
    expect(await desktop.closed).to.deep.equal({ code: 4401, reason: 'token expired or unknown' });
  });

  it('when the token check fails (database down), it closes with 1011 so the desktop retries, not 4401 (signed out)', async () => {
    const r = await rig();
    (r.deps as { verifyToken: AgentDesktopDeps['verifyToken'] }).verifyToken = () => Promise.reject(new Error('connect ECONNREFUSED'));
    const desktop = await r.connect();
    expect(await desktop.closed).to.deep.equal({ code: 1011, reason: 'could not verify the token, try again' });
  });

  it('when a supervisor connects, it closes the socket with 4403 naming the role', async () => {
    const r = await rig();
    const desktop = await r.connect('?token=supervisor-token');
    expect(await desktop.closed).to.deep.equal({ code: 4403, reason: 'role supervisor has no agent desktop' });
  });

  it('when an agent whose password an admin reset connects before changing it, it closes the socket with 4403 PASSWORD_CHANGE_REQUIRED', async () => {
    const r = await rig();
    (r.deps as { verifyToken: AgentDesktopDeps['verifyToken'] }).verifyToken = () => Promise.resolve({ ...AGENT, mustChangePassword: true });
    const desktop = await r.connect();
    expect(await desktop.closed).to.deep.equal({ code: 4403, reason: 'PASSWORD_CHANGE_REQUIRED: choose your own password first' });
  });

  it('when an agent user has no extension, it closes the socket with 4403', async () => {
    const r = await rig();
    const desktop = await r.connect('?token=no-ext-token');
    expect(await desktop.closed).to.deep.equal({ code: 4403, reason: 'this user has no extension' });
  });

  it('when an agent connects (token in the Authorization header), it says hello with the extension and state, then the open callbacks', async () => {
    const r = await rig();
    const desktop = await r.connect('', { headers: { authorization: 'Bearer agent-token' } });

    expect(await desktop.next('hello')).to.deep.equal({ type: 'hello', agentId: '7', username: 'wang.li', extension: '8001', state: 'logged-out', reason: null });
    expect(await desktop.next('callbacks')).to.deep.equal({ type: 'callbacks', items: CALLBACK_ITEMS });
    expect(r.desktops.connectedAgents).to.equal(1);
  });

  it('hello says how the extension is registered as the desk connects (the page keeps off its phone when a desk softphone has it); without the look-up (WebRTC off) it has no phone field', async () => {
    const off = await rig();
    expect(await (await off.connect()).next('hello')).to.not.have.property('phone');
    const registered = new Map<string, 'desk' | 'browser'>([['8001', 'desk']]);
    const r = await rig({ registeredPhone: (ext) => registered.get(ext) ?? null });
    expect(await (await r.connect()).next('hello')).to.include({ extension: '8001', phone: 'desk' });
    registered.set('8001', 'browser');
    expect(await (await r.connect()).next('hello')).to.include({ phone: 'browser' });
    registered.delete('8001');
    expect(await (await r.connect()).next('hello')).to.include({ phone: null });
  });

  it('when the agent says ready, it acks and pushes the ready state', async () => {
    const r = await rig();
    const desktop = await r.connect();
    await desktop.next('hello');

    expect(await desktop.command({ type: 'ready' })).to.deep.equal({ type: 'ack', for: 'ready' });

    const state = await desktop.next('state');
    expect(state).to.include({ type: 'state', state: 'ready', reason: null, callId: null });
    expect(r.acd.agent('7')).to.deep.include({ state: 'ready', extension: '8001' });
  });

  it('when an admin changed the agent’s skills while it was signed out, signing in again and going ready logs it in with the new skills', async () => {
    const identity = new IdentityService({ users: new InMemoryUserRepository(), sessions: new InMemorySessionRepository(), clock: systemClock, sipRealm: 'hotline12345', tokenTtlMs: HOUR, logger: silentLogger() });
    const admin = await identity.createUser({ username: 'root', password: 'admin-pass-1', role: 'admin' });
    const agent = await identity.createUser({ username: 'wang.li', password: 'agent-pass-1', role: 'agent', extension: '8001', skills: ['general', 'complaint'] });
    expect(agent.id).to.equal(2);
    // As the composition reads it (composition/web.ts), but for the test's fixed agent id 7.
    const r = await rig({ agentProfile: async () => {
      const u = await identity.getUser(agent.id);
      return u.extension === null ? undefined : { extension: u.extension, skills: u.skills };
    } });
    let desktop = await r.connect();
    await desktop.next('hello');
    await desktop.command({ type: 'ready' });
    expect(r.acd.agent('7')?.skills).to.deep.equal(['general', 'complaint']);
    await desktop.command({ type: 'logout' });
    desktop.ws.close();
    await desktop.closed;

    await identity.updateUser(agent.id, { skills: ['general'] }, { id: admin.id });
    desktop = await r.connect();
    await desktop.next('hello');
    expect(await desktop.command({ type: 'ready' })).to.deep.equal({ type: 'ack', for: 'ready' });
    expect(r.acd.agent('7')).to.deep.include({ state: 'ready', skills: ['general'] });
  });

  it('when the skills change while a desktop stays open, the next ready after a logout uses the new ones', async () => {
    let skills = ['general', 'complaint'];
    const r = await rig({ agentProfile: () => Promise.resolve({ extension: '8001', skills }) });
    const desktop = await r.connect();
    await desktop.next('hello');
    await desktop.command({ type: 'ready' });
    await desktop.command({ type: 'logout' });
    skills = ['complaint'];
    await desktop.command({ type: 'ready' });
    expect(r.acd.agent('7')).to.deep.include({ state: 'ready', skills: ['complaint'] });
  });

  it('when a frame is not JSON, names an unknown type, or says not-ready without a reason, it answers an error naming the problem and keeps the socket open', async () => {
    const r = await rig();
    const desktop = await r.connect();
    await desktop.next('hello');
    await desktop.command({ type: 'ready' });

    expect(await desktop.command('{ready')).to.deep.equal({ type: 'error', code: 'BAD_MESSAGE', message: 'not JSON' });
    const unknown = await desktop.command({ type: 'transfer' });
    expect(unknown).to.include({ type: 'error', code: 'BAD_MESSAGE' });
    expect(unknown.message).to.match(/^type: /);
    const noReason = await desktop.command({ type: 'not-ready' });
    expect(noReason).to.include({ type: 'error', code: 'BAD_MESSAGE' });
    expect(noReason.message).to.match(/^reason: /);
    const blank = await desktop.command({ type: 'not-ready', reason: '  ' });
    expect(blank).to.deep.equal({ type: 'error', code: 'BAD_MESSAGE', message: 'reason: say why (e.g. 休息, 培训)' });

    expect(desktop.ws.readyState).to.equal(WebSocket.OPEN);
    expect(await desktop.command({ type: 'ping' })).to.deep.equal({ type: 'pong' });
    expect(r.acd.agent('7')?.state).to.equal('ready');
  });

  it('when the ACD refuses a command (end wrap-up while ready), it answers an error with the ACD code', async () => {
    const r = await rig();
    const desktop = await r.connect();
    await desktop.next('hello');
    await desktop.command({ type: 'ready' });

    const reply = await desktop.command({ type: 'end-wrap-up' });

    expect(reply).to.include({ type: 'error', message: 'agent 7 is ready: not in wrap-up' });
    expect(reply.code).to.be.a('string').and.not.equal('FAILED');
  });

  it("when the ACD offers a call to this agent, it pushes the offer with the caller's number, queue, wait and work-order history", async () => {
    const r = await rig();
    const desktop = await r.connect();
    await desktop.next('hello');
    r.acd.enqueue({ callId: 'call-1', queue: 'general', callerNumber: '13812345678' });
    r.clock.advance(12_340);

    await desktop.command({ type: 'ready' });

    const offer = await desktop.next('offer');
    // The test clock runs on real time from the enqueue: 12.34 s plus however long the machine took.
    expect(offer.waitedS).to.be.a('number').within(12.3, 13);
    expect({ ...offer, waitedS: 12.3 }).to.deep.equal({
      type: 'offer',
      callId: 'call-1',
      queue: 'general',
      callerNumber: '13812345678',
      waitedS: 12.3,
      history: HISTORY,
      orderCode: null,
    });
    expect(r.callerHistory.firstCall.args).to.deep.equal(['13812345678', AGENT]);
    expect((await desktop.next('state', 1)).state).to.equal('offered');
  });

  it('when the caller comes from the IVR progress self-service with an order, the offer carries its code for the screen-pop', async () => {
    const r = await rig();
    const desktop = await r.connect();
    await desktop.next('hello');
    r.acd.enqueue({ callId: 'call-1', queue: 'general', callerNumber: '13812345678', orderCode: '20261203-000123' });
    await desktop.command({ type: 'ready' });
    const offer = await desktop.next('offer');
    expect(offer).to.include({ callId: 'call-1', orderCode: '20261203-000123' });
  });

  it('when the history lookup fails, it still pushes the offer, with an empty history', async () => {
    const r = await rig();
    r.callerHistory.rejects(new Error('database down'));
    const desktop = await r.connect();
    await desktop.next('hello');
    await desktop.command({ type: 'ready' });

    r.acd.enqueue({ callId: 'call-1', queue: 'general', callerNumber: '13812345678' });

    expect(await desktop.next('offer')).to.include({ callId: 'call-1' }).and.deep.include({ history: [] });
  });

  it("when a call ends, the wrap-up state says how long the wrap-up lasts (the queue's wrapUpS); a desktop opened then is told the seconds left", async () => {
    const r = await rig();
    const desktop = await r.connect();
    await desktop.next('hello');
    await desktop.command({ type: 'ready' });
    r.acd.enqueue({ callId: 'call-1', queue: 'general', callerNumber: '13812345678' });
    r.acd.offerAnswered('call-1', '7');
    await desktop.next('connected');

    r.acd.callEnded('call-1');

    const isWrapUp = (f: Frame): boolean => f.type === 'state' && f.state === 'wrap-up';
    await eventually(() => desktop.frames.some(isWrapUp), 'the wrap-up state');
    expect(desktop.frames.find(isWrapUp)).to.include({ type: 'state', state: 'wrap-up', callId: 'call-1', wrapUpLeftS: 30 });
    expect(desktop.frames.filter((f) => f.type === 'state' && f.state !== 'wrap-up').every((f) => !('wrapUpLeftS' in f))).to.equal(true);

    r.clock.advance(12_000);
    const second = await r.connect();
    const hello = await second.next('hello');
    expect(hello).to.include({ type: 'hello', state: 'wrap-up', callId: 'call-1' });
    expect(hello.wrapUpLeftS).to.be.within(17, 18);
    expect(hello.inStateS).to.be.within(12, 13);
  });

  it('when a call ends in a queue without wrap-up time, no countdown is sent', async () => {
    const r = await rig();
    const desktop = await r.connect();
    await desktop.next('hello');
    await desktop.command({ type: 'ready' });
    r.acd.enqueue({ callId: 'call-1', queue: 'vip', callerNumber: '13812345678' });
    r.acd.offerAnswered('call-1', '7');
    await desktop.next('connected');

    r.acd.callEnded('call-1');

    await eventually(() => desktop.frames.filter((f) => f.type === 'state' && f.state === 'ready').length === 2, 'ready again after the call');
    expect(desktop.frames.some((f) => f.type === 'state' && f.state === 'wrap-up')).to.equal(true);
    expect(desktop.frames.filter((f) => f.type === 'state').some((f) => 'wrapUpLeftS' in f)).to.equal(false);
  });

  it('when the desktop drops while ready, it puts the agent not-ready (desktop-disconnected) only after the grace period', async () => {
    const r = await rig({ graceMs: 150 });
    const desktop = await r.connect();
    await desktop.next('hello');
    await desktop.command({ type: 'ready' });

    desktop.ws.close();
    await desktop.closed;
    await sleep(60);
    expect(r.acd.agent('7')?.state).to.equal('ready');

    await eventually(() => r.acd.agent('7')?.reason === 'desktop-disconnected', 'not-ready');
    expect(r.acd.agent('7')).to.deep.include({ state: 'not-ready', reason: 'desktop-disconnected' });
    expect(r.desktops.connectedAgents).to.equal(0);
  });

  it('when the desktop reconnects within the grace period, the agent stays ready', async () => {
    const r = await rig({ graceMs: 150 });
    const first = await r.connect();
    await first.next('hello');
    await first.command({ type: 'ready' });
    first.ws.close();
    await first.closed;

    const second = await r.connect();
    expect(await second.next('hello')).to.include({ state: 'ready' });
    await sleep(250);

    expect(r.acd.agent('7')?.state).to.equal('ready');
  });

  it('when the desktop drops during a call, the agent stays busy past the grace period and goes not-ready when the call ends', async () => {
    const r = await rig({ graceMs: 50 });
    const desktop = await r.connect();
    await desktop.next('hello');
    await desktop.command({ type: 'ready' });
    r.acd.enqueue({ callId: 'call-1', queue: 'general', callerNumber: '13812345678' });
    r.acd.offerAnswered('call-1', '7');
    expect(await desktop.next('connected')).to.deep.equal({ type: 'connected', callId: 'call-1' });

    desktop.ws.close();
    await desktop.closed;
    await sleep(150);
    expect(r.acd.agent('7')?.state).to.equal('busy');

    r.acd.callEnded('call-1');

    expect(r.acd.agent('7')).to.deep.include({ state: 'not-ready', reason: 'desktop-disconnected' });
  });

  // BUG (reported, src/acd/acd.ts callEnded): the desktop's synchronous setNotReady on the wrap-up
  // event deletes the handling, then callEnded still starts the wrap-up timer, whose endWrapUp throws
  // "not in wrap-up" from a timer (an uncaught exception in the server). Unskip once fixed.
  it('when the desktop dropped during a call, the end of the wrap-up time later throws nothing', async () => {
    const r = await rig({ graceMs: 50 });
    const desktop = await r.connect();
    await desktop.next('hello');
    await desktop.command({ type: 'ready' });
    r.acd.enqueue({ callId: 'call-1', queue: 'general', callerNumber: '13812345678' });
    r.acd.offerAnswered('call-1', '7');
    desktop.ws.close();
    await desktop.closed;
    await sleep(100);
    r.acd.callEnded('call-1');

    expect(() => {
      r.clock.fireAll();
    }).not.to.throw();
    expect(r.acd.agent('7')).to.deep.include({ state: 'not-ready', reason: 'desktop-disconnected' });
  });

  // BUG (same cause as above) with a queue whose wrapUpS is 0: callEnded itself throws.
  it('when the desktop dropped during a call of a queue without wrap-up, ending the call throws nothing', async () => {
    const r = await rig({ graceMs: 50 });
    const desktop = await r.connect();
    await desktop.next('hello');
    await desktop.command({ type: 'ready' });
    r.acd.enqueue({ callId: 'call-1', queue: 'vip', callerNumber: '13812345678' });
    r.acd.offerAnswered('call-1', '7');
    desktop.ws.close();
    await desktop.closed;
    await sleep(100);

    expect(() => {
      r.acd.callEnded('call-1');
    }).not.to.throw();
    expect(r.acd.agent('7')).to.deep.include({ state: 'not-ready', reason: 'desktop-disconnected' });
  });

  it('when the agent presses hang up, it asks to hang up their call and acks; with no call it answers NO_CALL', async () => {
    const r = await rig();
    const desktop = await r.connect();
    await desktop.next('hello');

    expect(await desktop.command({ type: 'hangup' })).to.deep.equal({ type: 'ack', for: 'hangup' });
    expect(r.hangupAgentCall.firstCall.args).to.deep.equal(['7']);

    r.hangupAgentCall.resolves(false);
    expect(await desktop.command({ type: 'hangup' })).to.deep.equal({ type: 'error', code: 'NO_CALL', message: 'there is no call to hang up' });
  });

  it('when a desktop stops answering pings, the heartbeat terminates it while a live desktop stays connected', async () => {
    const r = await rig({ heartbeatMs: 40 });
    const dead = await r.connect('?token=agent-token', { autoPong: false });
    const live = await r.connect();
    await dead.next('hello');
    await live.next('hello');

    const closed = await dead.closed;

    expect(closed.code).to.equal(1006);
    await sleep(150);
    expect(live.ws.readyState).to.equal(WebSocket.OPEN);
    expect(await live.command({ type: 'ping' })).to.deep.equal({ type: 'pong' });
  });

  it('when callbacks change, every connected desktop receives the new list', async () => {
    const r = await rig();
    const desktop = await r.connect();
    await desktop.next('callbacks');

    await r.desktops.broadcastCallbacks();

    expect(await desktop.next('callbacks', 1)).to.deep.equal({ type: 'callbacks', items: CALLBACK_ITEMS });
  });

  it('when the server closes, it closes every desktop with 1001', async () => {
    const r = await rig();
    const desktop = await r.connect();
    await desktop.next('hello');

    r.desktops.close();

    expect(await desktop.closed).to.deep.equal({ code: 1001, reason: 'server shutting down' });
  });
});
