import { expect } from 'chai';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { ApiClient, DesktopClient, type DesktopFrame } from '../support/api-client.js';
import { startBaresip, makeToneWav, type Baresip } from '../support/baresip.js';
import { ADMIN, startServer, type CallRecordJson, type ServerHandle } from '../support/server-process.js';
import { parseWav, rmsPerChannel } from '../support/wav.js';
import { testDatabaseUrl, testDbKind, type TestDatabaseUrl } from '../support/test-database.js';

const here = new URL('.', import.meta.url).pathname;

interface AgentRig {
  readonly api: ApiClient;
  readonly desk: DesktopClient;
  readonly phone: Baresip;
  readonly extension: string;
}

/**
 * A resident reaches a person: caller → IVR → queue → a registered softphone (digest auth), the
 * desktop socket, the bridged and recorded conversation, the work order; abandon, RONA, callback offer.
 */
describe(`agents answer the queue, end to end (${testDbKind()})`, function () {
  this.timeout(90_000);
  let server: ServerHandle;
  let database: TestDatabaseUrl;
  let admin: ApiClient;
  /** Agent 8001: auto-answer, 880 Hz tone; created before the tests, not ready until a test says so. */
  let a1: AgentRig;
  const rigs: AgentRig[] = [];

  before(async () => {
    database = await testDatabaseUrl();
    server = await startServer(
      { QUEUES_FILE: join(here, 'fixtures/queues.yaml'), IVR_FLOW: join(here, 'fixtures/agent-flow.yaml'), WS_GRACE_S: '1' },
      { databaseUrl: database.url },
    );
    admin = await ApiClient.login(server.baseUrl, ADMIN.username, ADMIN.password);
    a1 = await agent('8001', 'auto', 880);
  });

  after(async () => {
    for (const rig of rigs) {
      rig.desk.close();
      await rig.phone.stop();
    }
    await server.stop();
    await database.cleanup();
  });

  /** Creates an agent, registers its softphone and opens its desktop (not yet ready). */
  async function agent(extension: string, answerMode: 'auto' | 'manual', toneHz: number): Promise<AgentRig> {
    const created = await admin.post('/api/v1/agents', { username: `agent${extension}`, password: `pass-${extension}`, displayName: `话务员${extension}`, extension, skills: ['general'] });
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    const phone = await startBaresip({
      audioSource: makeToneWav(undefined, { frequency: toneHz, seconds: 30, volume: 0.3 }),
      account: { user: extension, password: `pass-${extension}`, registrar: `127.0.0.1:${server.sipPort}`, register: true, answerMode },
    });
    await waitFor(() => server.logs().includes(`"extension":"${extension}"`) && /registered|REGISTER/i.test(server.logs()), 10_000);
    const api = await ApiClient.login(server.baseUrl, `agent${extension}`, `pass-${extension}`);
    const desk = await DesktopClient.connect(server.baseUrl, api.bearer);
    await desk.waitFor((f) => f.type === 'hello');
    const rig = { api, desk, phone, extension };
    rigs.push(rig);
    return rig;
  }

  async function ready(rig: AgentRig): Promise<void> {
    const since = rig.desk.mark();
    rig.desk.send({ type: 'ready' });
    await rig.desk.waitFor((f) => f.type === 'state' && f.state === 'ready', 5000, since);
  }

  async function notReady(rig: AgentRig, reason = '休息'): Promise<void> {
    const since = rig.desk.mark();
    rig.desk.send({ type: 'not-ready', reason });
    await rig.desk.waitFor((f) => f.type === 'state' && f.state === 'not-ready', 5000, since);
  }

  function finished(predicate: (c: CallRecordJson) => boolean): Promise<CallRecordJson> {
    return server.waitForCall((c) => c.endedAt !== null && predicate(c), 20_000);
  }

  it('when a resident asks for an agent, the registered softphone gets the call with a screen-pop, both hear each other, and a work order is opened', async () => {
    const caller = await startBaresip({ account: { user: '13800138001', register: false, answerMode: 'auto' }, audioSource: makeToneWav(undefined, { frequency: 440, seconds: 30, volume: 0.3 }) });
    try {
      // An earlier work order of this resident, for the screen-pop.
      const earlier = await a1.api.post('/api/v1/tickets', await ticketBody('13800138001', '小区夜间施工噪音扰民,希望有关部门处理。'));
      expect(earlier.status, JSON.stringify(earlier.body)).to.equal(201);
      const earlierCode = (earlier.body as { code: string }).code;
      await ready(a1);

      const since = caller.mark();
      await caller.dial(`sip:12345@127.0.0.1:${server.sipPort}`);
      await caller.waitForEvent('CALL_ESTABLISHED', 10_000, since);
      await sleep(800);
      await caller.sendDtmf('0');

      const offer = await a1.desk.waitFor((f) => f.type === 'offer', 15_000);
      expect(offer).to.include({ callerNumber: '13800138001', queue: 'general' });
      expect((offer.history as { code: string }[]).map((t) => t.code)).to.include(earlierCode);
      await a1.desk.waitFor((f) => f.type === 'connected', 10_000);
      await sleep(3000);
      await caller.hangup();
      await a1.desk.waitFor((f: DesktopFrame) => f.type === 'ended', 10_000);

      const call = await finished((c) => c.from === '13800138001');
      expect(call).to.include({ queue: 'general', agentExtension: '8001', hungUpBy: 'caller', hasRecording: true });
      expect(Date.parse(String(call.agentAnsweredAt)) - Date.parse(String(call.queuedAt))).to.be.below(15_000);

      // The recording has both parties: the caller's 440 Hz on the left, the agent's 880 Hz on the right.
      const rec = await admin.get(`/api/v1/calls/${encodeURIComponent(call.callId)}/recording`);
      expect(rec.status).to.equal(200);
      const wav = parseWav(Buffer.from(rec.body as ArrayBuffer));
      expect(wav.channels).to.equal(2);
      expect(wav.durationS).to.be.above(2);
      const [left, right] = rmsPerChannel(wav);
      expect(left ?? 0, 'caller channel energy').to.be.above(0.02);
      expect(right ?? 0, 'agent channel energy').to.be.above(0.02);

      // The agent writes the work order for this call.
      const ticket = await a1.api.post('/api/v1/tickets', { ...(await ticketBody('13800138001', '反映楼道照明损坏多日无人维修,请尽快处理。')), callId: call.callId });
      expect(ticket.status, JSON.stringify(ticket.body)).to.equal(201);
      const list = await a1.api.get('/api/v1/tickets?phone=13800138001');
      expect((list.body as { items: unknown[] }).items).to.have.length(2);
    } finally {
      await caller.stop();
    }
  });

  it('when the caller hangs up while waiting, the call is recorded as abandoned in the queue with no agent', async () => {
    for (const rig of rigs) {
      const lastState = [...rig.desk.frames].reverse().find((f) => f.type === 'state');
      if (lastState?.state === 'ready' || lastState?.state === 'wrap-up') await notReady(rig);
    }
    const caller = await startBaresip({ account: { user: '13800138002', register: false, answerMode: 'auto' } });
    try {
      await caller.dial(`sip:12345@127.0.0.1:${server.sipPort}`);
      await caller.waitForEvent('CALL_ESTABLISHED', 10_000);
      await sleep(800);
      await caller.sendDtmf('0');
      await sleep(3000);
      await caller.hangup();
      const call = await finished((c) => c.from === '13800138002');
      expect(call).to.include({ queue: 'general', agentExtension: null, hungUpBy: 'caller' });
      expect(call.queuedAt).to.be.a('string');
    } finally {
      await caller.stop();
    }
  });

  it('when the first agent does not answer, it goes not-ready (RONA) and the second agent gets the caller', async () => {
    const a2 = await agent('8002', 'manual', 660);
    // a1 (auto-answer) is not ready; a3 never answers and becomes ready first, so it is the longest idle.
    const lastState = [...a1.desk.frames].reverse().find((f) => f.type === 'state');
    if (lastState?.state === 'ready') await notReady(a1);
    const a3 = await agent('8003', 'manual', 550);
    await ready(a3);
    await sleep(200);
    await ready(a2);
    const since = a2.phone.mark();
    const caller = await startBaresip({ account: { user: '13800138003', register: false, answerMode: 'auto' } });
    try {
      await caller.dial(`sip:12345@127.0.0.1:${server.sipPort}`);
      await caller.waitForEvent('CALL_ESTABLISHED', 10_000);
      await sleep(800);
      await caller.sendDtmf('0');
      await a3.desk.waitFor((f) => f.type === 'offer', 10_000);
      await a3.desk.waitFor((f) => f.type === 'state' && f.state === 'not-ready' && f.reason === 'RONA', 15_000);
      await a2.desk.waitFor((f) => f.type === 'offer', 10_000);
      await a2.phone.waitForEvent('CALL_INCOMING', 10_000, since);
      await a2.phone.accept();
      await a2.desk.waitFor((f) => f.type === 'connected', 10_000);
      await sleep(1000);
      a2.desk.send({ type: 'hangup' });
      const call = await finished((c) => c.from === '13800138003');
      expect(call).to.include({ agentExtension: '8002', hungUpBy: 'callee' });
    } finally {
      await caller.stop();
    }
  });

  it('when nobody serves the queue and the caller presses 1 at the callback offer, the request is stored and shown on the desktops', async () => {
    const since = a1.desk.mark();
    const caller = await startBaresip({ account: { user: '13800138004', register: false, answerMode: 'auto' } });
    try {
      await caller.dial(`sip:12345@127.0.0.1:${server.sipPort}`);
      await caller.waitForEvent('CALL_ESTABLISHED', 10_000);
      await sleep(800);
      await caller.sendDtmf('8');
      // maxWaitS 3; the offer follows the welcome-to-the-queue speech. Keys outside the offer are
      // ignored, so press 1 every second until the server confirms and hangs up.
      const closed = caller.waitForEvent('CALL_CLOSED', 30_000);
      const state = { done: false };
      void closed.finally(() => (state.done = true));
      for (let i = 0; i < 25 && !isDone(state); i++) {
        await sleep(1000);
        if (!isDone(state)) await caller.sendDtmf('1').catch(() => undefined);
      }
      await closed.catch((err: unknown) => {
        throw new Error(`${String(err)}\n--- server ---\n${server.tail(60)}`);
      });
      const frame = await a1.desk.waitFor((f) => f.type === 'callbacks' && JSON.stringify(f.items).includes('13800138004'), 10_000, since);
      expect(frame.items).to.be.an('array');
      const call = await finished((c) => c.from === '13800138004');
      expect(call).to.include({ queue: 'after-hours', agentExtension: null, hungUpBy: 'system' });
    } finally {
      await caller.stop();
    }
  });

  it('when an agent presses not-ready while the call rings on its phone, the server stays up, the phone gets CANCEL and the caller goes to the next ready agent', async () => {
    // Issue 9 #1: this crashed the process (at once when the phone then answered, 35 s later when it stayed silent).
    for (const rig of rigs) {
      const lastState = [...rig.desk.frames].reverse().find((f) => f.type === 'state');
      if (lastState?.state === 'ready' || lastState?.state === 'wrap-up') await notReady(rig);
    }
    const ringing = await agent('8006', 'manual', 500);
    await ready(ringing);
    await sleep(200);
    await ready(a1); // auto-answer, became ready later: second in line
    const phoneSince = ringing.phone.mark();
    const deskSince = ringing.desk.mark();
    const caller = await startBaresip({ account: { user: '13800138006', register: false, answerMode: 'auto' } });
    try {
      await caller.dial(`sip:12345@127.0.0.1:${server.sipPort}`);
      await caller.waitForEvent('CALL_ESTABLISHED', 10_000);
      await sleep(800);
      await caller.sendDtmf('0');
      await ringing.desk.waitFor((f) => f.type === 'offer', 10_000, deskSince);
      await ringing.phone.waitForEvent('CALL_INCOMING', 10_000, phoneSince);

      const logMark = server.logs().length;
      ringing.desk.send({ type: 'not-ready', reason: '休息' });
      await ringing.desk.waitFor((f) => f.type === 'ack' && f.for === 'not-ready', 5000, deskSince);
      const withdrawn = await ringing.desk.waitFor((f) => f.type === 'offer-withdrawn', 5000, deskSince);
      expect(withdrawn).to.include({ reason: 'agent-not-ready' });
      // The ringing phone is cancelled (CANCEL → 487), not left to ring out.
      await ringing.phone.waitForEvent('CALL_CLOSED', 5000, phoneSince);
      await waitFor(() => server.logs().slice(logMark).includes('sip: CANCEL answered'), 5000);
      expect(server.logs().slice(logMark), 'cancelled by the not-ready, not by the ring timeout').not.to.include('no answer in time');

      // The caller is offered to the next ready agent, who answers.
      await a1.desk.waitFor((f) => f.type === 'offer' && f.callerNumber === '13800138006', 10_000);
      await a1.desk.waitFor((f) => f.type === 'connected', 10_000);
      await sleep(1000);
      await caller.hangup();
      const call = await finished((c) => c.from === '13800138006');
      expect(call).to.include({ queue: 'general', agentExtension: '8001' });
      // Still up, and nothing escaped to the last line of defence.
      expect((await new ApiClient(server.baseUrl).get('/healthz')).status).to.equal(200);
      expect(server.logs()).not.to.match(/uncaught exception|unhandled promise rejection|acd timer failed|listener failed/);
    } finally {
      await caller.stop();
    }
    await notReady(a1);
  });

  it('when an agent logs out through the API, its open desktop socket is closed with 4401 at once and cannot say ready any more', async () => {
    // Issue 9 #8: the socket of a logged-out token kept taking `ready` and was offered calls.
    const created = await admin.post('/api/v1/agents', { username: 'agent8007', password: 'pass-8007', displayName: '话务员8007', extension: '8007', skills: ['general'] });
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    const api = await ApiClient.login(server.baseUrl, 'agent8007', 'pass-8007');
    const ws = new WebSocket(`${server.baseUrl.replace(/^http/, 'ws')}/ws/agent?token=${encodeURIComponent(api.bearer)}`);
    const frames: { type: string; [k: string]: unknown }[] = [];
    ws.on('message', (data: Buffer) => frames.push(JSON.parse(data.toString('utf8')) as { type: string }));
    const closed = new Promise<{ code: number; reason: string }>((resolve) => {
      ws.once('close', (code, reason) => {
        resolve({ code, reason: reason.toString() });
      });
    });
    await waitFor(() => frames.some((f) => f.type === 'hello'), 5000);
    ws.send(JSON.stringify({ type: 'ready' }));
    await waitFor(() => frames.some((f) => f.type === 'state' && f.state === 'ready'), 5000);

    const logout = await api.post('/api/v1/auth/logout', {});
    expect(logout.status).to.equal(204);
    const close = await Promise.race([closed, sleep(2000).then(() => undefined)]);
    expect(close, 'socket closed within 2 s of the logout').to.deep.equal({ code: 4401, reason: 'signed out' });
    // The agent is offered nothing more, and the token opens no new desktop.
    const userId = String((created.body as { id: number }).id);
    await waitFor(() => stateLines(server.logs()).some((l) => l.agentId === userId && l.from === 'ready' && l.to === 'not-ready' && l.reason === 'signed-out'), 5000);
    const again = await DesktopClient.refused(server.baseUrl, api.bearer);
    expect(again.code).to.equal(4401);
  });

  it('when a softphone registers with a wrong password, it is refused', async () => {
    const intruder = await startBaresip({ account: { user: '8001', password: 'wrong-password', registrar: `127.0.0.1:${server.sipPort}`, register: true, answerMode: 'auto' } });
    try {
      await waitFor(() => /403|REGISTER_FAIL|refused/i.test(intruder.logs()) || server.logs().includes('digest'), 10_000);
      expect(intruder.logs()).to.match(/403|Forbidden/);
    } finally {
      await intruder.stop();
    }
  });

  it('when the API is used without a token or by the wrong role, it answers 401 and 403', async () => {
    expect((await new ApiClient(server.baseUrl).get('/api/v1/calls')).status).to.equal(401);
    expect((await a1.api.get('/api/v1/calls')).status).to.equal(403);
    expect((await a1.api.post('/api/v1/agents', { username: 'x1', password: 'password1', extension: '8999', skills: [] })).status).to.equal(403);
    const refused = await DesktopClient.refused(server.baseUrl, 'not-a-token');
    expect(refused.code).to.equal(4401);
  });

  async function ticketBody(phone: string, content: string): Promise<Record<string, unknown>> {
    const tree = await admin.get('/api/v1/categories');
    return { requestType: 'complaint', categoryId: firstLeaf(tree.body), content, address: '朝阳区朝阳门街道某小区3号楼', residentName: '张先生', residentPhone: phone };
  }
});

function firstLeaf(tree: unknown): number {
  const items = (Array.isArray(tree) ? tree : (tree as { items?: unknown[] }).items ?? []) as { id: number; children?: unknown[] }[];
  for (const node of items) {
    if (!node.children || node.children.length === 0) return node.id;
    return firstLeaf(node.children);
  }
  throw new Error('no category in the tree');
}

/** The server's `agent state` log lines. */
function stateLines(logs: string): { agentId?: string; from?: string; to?: string; reason?: string | null }[] {
  return logs
    .split('\n')
    .filter((l) => l.includes('"message":"agent state"'))
    .map((l) => JSON.parse(l) as { agentId?: string; from?: string; to?: string; reason?: string | null });
}

/** Read through a function so the compiler does not narrow a flag that a callback sets. */
function isDone(state: { done: boolean }): boolean {
  return state.done;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function waitFor(check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(100);
  }
}
