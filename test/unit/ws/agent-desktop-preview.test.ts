import { expect } from 'chai';
import type { RequestHandler } from 'express';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import sinon from 'sinon';
import { WebSocket } from 'ws';
import { Acd } from '../../../src/acd/acd.js';
import { parseQueues } from '../../../src/acd/parse-queues.js';
import type { AuthUser } from '../../../src/api/auth-context.js';
import { createHttpServer, type WebServer } from '../../../src/api/http-server.js';
import { createSurveyRoutes } from '../../../src/api/surveys.routes.js';
import { PreviewTasks } from '../../../src/calls/preview-tasks.js';
import { TaskClaims } from '../../../src/calls/task-claims.js';
import { silentLogger } from '../../../src/logging/logger.js';
import { systemClock } from '../../../src/shared/clock.js';
import type { TicketWithEvents } from '../../../src/tickets/ticket.js';
import { AgentDesktopServer } from '../../../src/ws/agent-desktop-server.js';
import { FakePbx } from '../../support/fake-pbx.js';
import { MemoryCallRecords } from '../../support/memory-call-records.js';
import { MemoryAcdRecords, TEST_QUEUES_YAML } from '../acd/acd-test-kit.js';
import { GOOD_REPLY, supervisor, ticketFixture, type TicketFixture } from '../tickets/ticket-fixture.js';

const STAFF: AuthUser = { id: 7, username: 'wang.li', role: 'agent', extension: '8001' };
const PLAIN: AuthUser = { id: 8, username: 'li.na', role: 'agent', extension: '8002' };
const BOSS: AuthUser = { id: 2, username: 'zhao.min', role: 'supervisor' };
const TOKENS: Record<string, AuthUser> = { staff: STAFF, plain: PLAIN, boss: BOSS };
const SKILLS: Record<number, string[]> = { 7: ['general', 'callback'], 8: ['general'] };

type Frame = Record<string, unknown> & { type: string };

/** A desktop: a real `ws` client keeping every frame. */
class Desktop {
  readonly frames: Frame[] = [];
  constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer) => this.frames.push(JSON.parse(data.toString('utf8')) as Frame));
  }

  async next(type: string, where: (f: Frame) => boolean = () => true): Promise<Frame> {
    const deadline = Date.now() + 2000;
    for (;;) {
      const found = this.frames.find((f) => f.type === type && where(f));
      if (found !== undefined) return found;
      if (Date.now() > deadline) throw new Error(`no "${type}" frame; got ${JSON.stringify(this.frames.map((f) => f.type))}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  async command(command: unknown): Promise<Frame> {
    const seen = this.frames.length;
    this.ws.send(JSON.stringify(command));
    const deadline = Date.now() + 2000;
    for (;;) {
      const reply = this.frames.slice(seen).find((f) => f.type === 'ack' || f.type === 'error');
      if (reply !== undefined) return reply;
      if (Date.now() > deadline) throw new Error(`no reply to ${JSON.stringify(command)}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}

describe('agent desktop: preview dialing and survey results', () => {
  let web: WebServer;
  let desktops: AgentDesktopServer;
  let acd: Acd;
  let f: TicketFixture;
  let pbx: FakePbx;
  let acdRecords: MemoryAcdRecords;
  let dir: string;
  const sockets: WebSocket[] = [];

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'preview-ws-'));
    f = await ticketFixture();
    acdRecords = new MemoryAcdRecords();
    acd = new Acd({ clock: systemClock, logger: silentLogger(), records: acdRecords, queues: parseQueues(TEST_QUEUES_YAML, 'q.yaml') });
    pbx = new FakePbx();
    const preview = new PreviewTasks({ tickets: f.service, callbacks: acdRecords, acd, claims: new TaskClaims(), pbx, clock: systemClock, logger: silentLogger(), recordingsDir: dir, ringTimeoutMs: 20_000 });
    const authenticate: RequestHandler = (req, res, next) => {
      const user = TOKENS[(req.headers.authorization ?? '').replace(/^Bearer /, '')];
      if (user !== undefined) (res.locals as { user?: AuthUser }).user = user;
      next();
    };
    web = await createHttpServer({
      callRecords: new MemoryCallRecords(),
      health: () => Promise.resolve({ sip: true, database: true }),
      metrics: new Registry(),
      logger: silentLogger(),
      apiMiddleware: [authenticate],
      apiRoutes: [createSurveyRoutes({ tickets: f.service, preview, skillsOf: (u) => Promise.resolve(SKILLS[u.id] ?? []) })],
    }).startWebServer({ port: 0, host: '127.0.0.1' });
    desktops = new AgentDesktopServer(web.server, {
      acd,
      verifyToken: (token) => Promise.resolve(TOKENS[token]),
      agentProfile: (user) => Promise.resolve(user.extension === undefined ? undefined : { extension: user.extension, skills: SKILLS[user.id] ?? [] }),
      callerHistory: () => Promise.resolve([]),
      openCallbacks: () => acdRecords.listOpenCallbackRequests(50),
      hangupAgentCall: () => Promise.resolve(false),
      preview,
      clock: systemClock,
      logger: silentLogger(),
      heartbeatMs: 60_000,
      graceMs: 60_000,
    });
  });

  afterEach(async () => {
    for (const ws of sockets.splice(0)) ws.terminate();
    desktops.close();
    acd.close();
    await web.close();
    rmSync(dir, { recursive: true, force: true });
    sinon.restore();
  });

  async function connect(token: string): Promise<Desktop> {
    const ws = new WebSocket(`ws://127.0.0.1:${web.port}/ws/agent?token=${token}`);
    sockets.push(ws);
    const desk = new Desktop(ws);
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    await desk.next('hello');
    return desk;
  }

  async function post(path: string, token: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
    const res = await fetch(`http://127.0.0.1:${web.port}/api/v1${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  async function reviewed(over: Record<string, unknown> = {}): Promise<TicketWithEvents> {
    const t = await f.order({ residentName: '张先生', ...over });
    await f.act(t.code, 'sign', {}, f.unitUser);
    await f.act(t.code, 'reply', GOOD_REPLY, f.unitUser);
    return f.act(t.code, 'review-approve', {}, supervisor);
  }

  it('when ready callback staff ask for the next task, the desktop gets the order to survey and the agent is not-ready (preview)', async () => {
    const order = await reviewed();
    const desk = await connect('staff');
    expect(await desk.command({ type: 'ready' })).to.deep.equal({ type: 'ack', for: 'ready' });
    expect(await desk.command({ type: 'next-task' })).to.deep.equal({ type: 'ack', for: 'next-task' });
    const task = await desk.next('task');
    expect(task).to.deep.include({ kind: 'survey', taskId: `survey:${order.code}`, callback: null });
    expect(task.ticket).to.deep.include({ code: order.code, content: order.content, replyContent: GOOD_REPLY.content, residentName: '张先生', residentPhone: order.residentPhone });
    expect(acd.agent('7')).to.deep.include({ state: 'not-ready', reason: 'preview' });
  });

  it('when the agent dials the task, the agent phone rings first, then the resident, they are bridged, and the desktop follows', async () => {
    const order = await reviewed();
    const desk = await connect('staff');
    await desk.command({ type: 'ready' });
    await desk.command({ type: 'next-task' });
    const { taskId } = await desk.next('task');
    expect(await desk.command({ type: 'dial', taskId })).to.deep.equal({ type: 'ack', for: 'dial' });
    expect(await desk.next('dialing', (fr) => fr.who === 'agent')).to.deep.equal({ type: 'dialing', taskId, who: 'agent' });
    expect(pbx.dials.map((d) => d.request.target)).to.deep.equal(['ext:8001']);
    pbx.dials[0]?.answer();
    await desk.next('dialing', (fr) => fr.who === 'resident');
    expect(pbx.dials.map((d) => d.request.target)).to.deep.equal(['ext:8001', `tel:${order.residentPhone}`]);
    const resident = pbx.dials[1]?.answer();
    const connected = await desk.next('connected');
    expect(connected).to.deep.equal({ type: 'connected', callId: resident?.id, taskId });
    expect(pbx.bridges).to.have.length(1);
    await resident?.hangup();
    expect(await desk.next('ended')).to.deep.equal({ type: 'ended', callId: resident?.id, taskId, result: 'talked' });

    const res = await post(`/surveys/${order.code}/result`, 'staff', { version: order.version, satisfaction: '不满意', resolution: 'unresolved' });
    expect(res.status).to.equal(200);
    expect(res.body).to.deep.include({ state: 'dispatched', satisfaction: 'unsatisfied', resolution: 'unresolved', reopenCount: 1 });
    await desk.next('state', (fr) => fr.state === 'ready');
    expect(acd.agent('7')?.state).to.equal('ready');
  });

  it('when a supervisor records 满意, the order closes; a stale version is 409 and a bad body 400 naming the field', async () => {
    const order = await reviewed();
    const bad = await post(`/surveys/${order.code}/result`, 'boss', { version: order.version, satisfaction: 'great' });
    expect(bad.status).to.equal(400);
    expect(JSON.stringify(bad.body)).to.contain('satisfaction');
    const ok = await post(`/surveys/${order.code}/result`, 'boss', { version: order.version, satisfaction: 'satisfied', resolution: 'resolved' });
    expect(ok.status).to.equal(200);
    expect(ok.body).to.deep.include({ state: 'closed', satisfaction: 'satisfied' });
    expect((await post(`/surveys/${order.code}/result`, 'boss', { version: order.version, satisfaction: 'satisfied' })).status).to.equal(409);
  });

  it('when an agent without the callback skill asks, the desktop and the API refuse', async () => {
    const order = await reviewed();
    const desk = await connect('plain');
    await desk.command({ type: 'ready' });
    expect(await desk.command({ type: 'next-task' })).to.deep.include({ type: 'error', code: 'FORBIDDEN' });
    expect((await post(`/surveys/${order.code}/result`, 'plain', { version: order.version, satisfaction: 'satisfied' })).status).to.equal(403);
  });

  it('when an admin takes the callback skill away from a connected agent, its next next-task is refused', async () => {
    const desk = await connect('staff');
    await desk.command({ type: 'ready' });
    await desk.command({ type: 'next-task' });
    await desk.next('no-task');
    const before = SKILLS[7];
    SKILLS[7] = ['general'];
    try {
      expect(await desk.command({ type: 'next-task' })).to.deep.include({ type: 'error', code: 'FORBIDDEN' });
    } finally {
      SKILLS[7] = before ?? [];
    }
  });

  it('when the task is a queue callback, the desktop gets the caller and done marks the request done', async () => {
    await acdRecords.createCallbackRequest({ callId: 'c-1', queue: 'general', callerNumber: '13900001111', requestedAt: new Date() });
    const desk = await connect('staff');
    await desk.command({ type: 'ready' });
    await desk.command({ type: 'next-task' });
    const task = await desk.next('task');
    expect(task).to.deep.include({ kind: 'callback', taskId: 'callback:1', ticket: null });
    expect(task.callback).to.deep.include({ id: 1, callerNumber: '13900001111', queue: 'general' });
    const res = await post('/callbacks/1/done', 'staff', {});
    expect(res).to.deep.equal({ status: 200, body: { id: 1, status: 'done' } });
    expect(acdRecords.callbacks[0]).to.deep.include({ status: 'done', handledBy: '7' });
    expect(acd.agent('7')?.state).to.equal('ready');
  });

  it('when nothing is waiting, next-task answers no-task and the agent stays ready', async () => {
    const desk = await connect('staff');
    await desk.command({ type: 'ready' });
    await desk.command({ type: 'next-task' });
    await desk.next('no-task');
    expect(acd.agent('7')?.state).to.equal('ready');
  });
});
