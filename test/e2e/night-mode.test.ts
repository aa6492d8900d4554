import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiClient, DesktopClient, type DesktopFrame } from '../support/api-client.js';
import { firstLeafCategory } from '../support/order-helpers.js';
import { freePortRange } from '../support/ports.js';
import { ADMIN, startServer, type CallRecordJson, type ServerHandle } from '../support/server-process.js';
import { describeSipp, runSipp, SCENARIO_DIR } from '../support/sipp.js';
import { testDatabaseUrl, testDbKind, type TestDatabaseUrl } from '../support/test-database.js';
import { parseWav, rmsPerChannel } from '../support/wav.js';
import type { MessageJson, MessagePageJson } from '../../src/shared/wire/messages.js';

const MESSAGE_SCENARIO = join(SCENARIO_DIR, 'uac-message.xml');
const CALLER_SCENARIO = join(SCENARIO_DIR, 'uac-dtmf-caller.xml');

/**
 * Night mode (issue 12) end to end, with QUEUE_CLOSED_WHEN_UNSTAFFED on: with nobody logged in for the
 * general queue, a sipp caller pressing 0 is offered a callback (1) or a message (2). The message
 * caller speaks (sipp plays the A-law speech capture), presses #, and a draft order (留言) appears in the
 * API with a WAV that has the caller's voice in it; an agent converts it into an order or closes it.
 * The callback caller's request reaches the agents' desktops. Once an agent is ready, 0 queues as before.
 */
describe(`night mode and messages, end to end (${testDbKind()})`, function () {
  // 22 migrations on MariaDB take long on a loaded machine.
  this.timeout(180_000);
  let server: ServerHandle;
  let database: TestDatabaseUrl;
  let recordings: string;
  let admin: ApiClient;
  let agent: ApiClient;
  let desk: DesktopClient;

  before(async () => {
    database = await testDatabaseUrl();
    recordings = await mkdtemp(join(tmpdir(), 'night-recordings-'));
    server = await startServer({ QUEUE_CLOSED_WHEN_UNSTAFFED: 'true', RECORDINGS_DIR: recordings, DRAIN_TIMEOUT_S: '2' }, { databaseUrl: database.url, readyTimeoutMs: 90_000 });
    admin = await ApiClient.login(server.baseUrl, ADMIN.username, ADMIN.password);
    const created = await admin.post('/api/v1/agents', { username: 'agent8101', password: 'pass-8101-night', displayName: '话务员8101', extension: '8101', skills: ['general'] });
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    agent = await ApiClient.login(server.baseUrl, 'agent8101', 'pass-8101-night');
    // The desktop is open (it hears callback requests) but the agent is not ready: the queue is unstaffed.
    desk = await DesktopClient.connect(server.baseUrl, agent.bearer);
    await desk.waitFor((f) => f.type === 'hello');
  });

  after(async () => {
    // A before() that failed half-way leaves some of these unset.
    (desk as DesktopClient | undefined)?.close();
    await (server as ServerHandle | undefined)?.stop();
    await (database as TestDatabaseUrl | undefined)?.cleanup();
    await rm(recordings, { recursive: true, force: true });
  });

  async function call(scenario: string, caller: string, dtmf?: string[]): Promise<CallRecordJson> {
    const mediaPort = await freePortRange(4);
    const result = await runSipp({
      scenario,
      target: `127.0.0.1:${server.sipPort}`,
      mediaPort,
      timeoutS: 50,
      traceMessages: true,
      keys: { caller },
      pauseMs: 1000,
      ...(dtmf === undefined ? {} : { dtmf, dtmfGapMs: 1500 }),
    });
    expect(result.exitCode, `${describeSipp(result)}\n--- server ---\n${server.tail(30)}`).to.equal(0);
    const callId = /Call-ID:\s*(\S+)/i.exec(result.messages)?.[1] ?? '';
    return server.waitForCall((c) => c.callId === callId && c.endedAt !== null, 15_000);
  }

  async function pending(): Promise<MessageJson[]> {
    const res = await agent.get('/api/v1/messages?status=pending');
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    return [...(res.body as MessagePageJson).items];
  }

  it('when nobody is logged in and the caller presses 0, then 2, speaks and presses #, a draft order appears with a recording of the voice', async () => {
    const call1 = await call(MESSAGE_SCENARIO, '13800138021');
    expect(call1.ivrPath.split(','), server.tail(30)).to.deep.equal(['welcome', 'notices', 'main-menu', 'agent', 'night', 'night-message', 'hang-up']);
    expect(call1).to.include({ digits: '02#', queue: null, hungUpBy: 'system' });
    const line = server.logs().split('\n').find((l) => l.includes(call1.callId) && l.includes('ivr message recorded')) ?? '';
    expect(line, 'ended by the # key').to.include('"end":"stopped"');

    const messages = await pending();
    expect(messages).to.have.length(1);
    const message = messages[0];
    expect(message).to.include({ callId: call1.callId, callerNumber: '13800138021', queue: 'general', queueName: '综合咨询', status: 'pending', orderCode: null });
    // 1.9 s before the speech + 7 s of speech + 3 s of silence before the #.
    expect(message?.durationMs).to.be.within(9000, 14_000);

    // The recording: mono 8 kHz PCM, served to the agent with its token, with the caller's voice in it.
    const res = await agent.get(message?.recordingUrl ?? '');
    expect(res.status).to.equal(200);
    expect(res.raw.headers.get('content-type')).to.match(/^audio\/wav/);
    const wav = parseWav(Buffer.from(res.body as ArrayBuffer));
    expect(wav).to.include({ sampleRate: 8000, channels: 1, encoding: 'pcm' });
    const speech = rmsPerChannel(wav, { fromS: 2.5, toS: 8.5 })[0] ?? 0;
    const silenceBefore = rmsPerChannel(wav, { fromS: 0, toS: 1.5 })[0] ?? 0;
    console.log(`      message ${wav.durationS.toFixed(1)} s; RMS while speaking ${speech.toFixed(4)}, before ${silenceBefore.toFixed(4)}`);
    expect(speech, 'the speech capture is in the recording').to.be.above(0.02);
    expect(silenceBefore, 'the prompt (our own audio) is not in it').to.be.below(0.005);
    const anonymous = await new ApiClient(server.baseUrl).get(message?.recordingUrl ?? '');
    expect(anonymous.status).to.equal(401);
  });

  it('when an agent turns the message into an order, it leaves the pending list; a second handling is refused with 409', async () => {
    const [message] = await pending();
    const wrong = await agent.post(`/api/v1/messages/${message?.id ?? 0}/convert`, { orderCode: 'soon' });
    expect(wrong.status).to.equal(400);
    expect(JSON.stringify(wrong.body)).to.include('orderCode');
    const created = await agent.post('/api/v1/tickets', {
      requestType: 'consult',
      categoryId: await firstLeafCategory(agent),
      content: '来电留言:咨询社保卡补办需要带哪些材料,在哪里办理。',
      residentPhone: message?.callerNumber,
    });
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    const { code } = created.body as { code: string };
    const converted = await agent.post(`/api/v1/messages/${message?.id ?? 0}/convert`, { orderCode: code });
    expect(converted.status, JSON.stringify(converted.body)).to.equal(200);
    expect(converted.body).to.include({ status: 'converted', orderCode: code });
    expect(await pending()).to.have.length(0);
    const again = await agent.post(`/api/v1/messages/${message?.id ?? 0}/close`, { reason: 'duplicate' });
    expect(again.status).to.equal(409);
    const list = await agent.get('/api/v1/messages?status=converted');
    expect((list.body as MessagePageJson).items.map((m) => m.orderCode)).to.deep.equal([code]);
  });

  it('when a message is closed, the reason is required and checked (other needs a note)', async () => {
    await call(MESSAGE_SCENARIO, '13800138022');
    const [message] = await pending();
    const id = message?.id ?? 0;
    const noReason = await agent.post(`/api/v1/messages/${id}/close`, {});
    expect(noReason.status).to.equal(400);
    expect(JSON.stringify(noReason.body)).to.include('reason');
    const noNote = await agent.post(`/api/v1/messages/${id}/close`, { reason: 'other' });
    expect(noNote.status).to.equal(400);
    expect(JSON.stringify(noNote.body)).to.include('note');
    const closed = await agent.post(`/api/v1/messages/${id}/close`, { reason: 'no-content' });
    expect(closed.status).to.equal(200);
    expect(closed.body).to.include({ status: 'closed', closeReason: 'no-content' });
    expect(await pending()).to.have.length(0);
  });

  it('when the caller presses 1 instead, a callback request for its number is stored and the agents\' desktops list it', async () => {
    const since = desk.frames.length;
    const c = await call(CALLER_SCENARIO, '13800138023', ['0', '1']);
    expect(c.ivrPath.split(','), server.tail(30)).to.deep.equal(['welcome', 'notices', 'main-menu', 'agent', 'night', 'night-callback', 'hang-up']);
    const frame = await desk.waitFor((f: DesktopFrame) => f.type === 'callbacks' && JSON.stringify(f).includes(c.callId), 10_000, since);
    const item = (frame as unknown as { items: { callId: string; callerNumber: string; queue: string; status: string }[] }).items.find((i) => i.callId === c.callId);
    expect(item).to.include({ callerNumber: '13800138023', queue: 'general', status: 'open' });
    expect(await pending(), 'no message for a callback').to.have.length(0);
  });

  it('when an agent is ready, a caller pressing 0 is queued as before', async () => {
    const since = desk.frames.length;
    desk.send({ type: 'ready' });
    await desk.waitFor((f) => f.type === 'state' && f.state === 'ready', 5000, since);
    const mediaPort = await freePortRange(4);
    const result = await runSipp({ scenario: join(SCENARIO_DIR, 'uac-dtmf-bye.xml'), target: `127.0.0.1:${server.sipPort}`, mediaPort, timeoutS: 30, traceMessages: true, dtmf: '0', pauseMs: 1000 });
    expect(result.exitCode, describeSipp(result)).to.equal(0);
    const callId = /Call-ID:\s*(\S+)/i.exec(result.messages)?.[1] ?? '';
    const c = await server.waitForCall((x) => x.callId === callId && x.endedAt !== null, 15_000);
    expect(c.ivrPath.split(',')).to.deep.equal(['welcome', 'notices', 'main-menu', 'agent']);
    expect(c.queue).to.equal('general');
  });
});
