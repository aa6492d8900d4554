import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { ApiClient } from '../support/api-client.js';
import { launchChromium, newDesk, screenshot, signIn } from '../support/browser.js';
import { freePort } from '../support/ports.js';
import { ADMIN, REPO_ROOT, startServer, type CallRecordJson, type ServerHandle } from '../support/server-process.js';
import { SipSocketCutter } from '../support/sip-socket-cutter.js';
import { describeSipp, SCENARIOS, startSipp, type SippProcess } from '../support/sipp.js';
import { testDatabaseUrl, testDbKind, type TestDatabaseUrl } from '../support/test-database.js';
import { parseWav, rmsPerChannel, toneShare, writeToneWav, type Wav } from '../support/wav.js';
import { sleep, waitUntil } from '../support/wait.js';

const FIXTURES = join(REPO_ROOT, 'test/e2e/fixtures');
/** The agent's fake microphone plays this tone; the caller (sipp) plays recorded speech. */
const TONE_HZ = 660;
/** SIP_WS_CALL_GRACE_S of the test server: an answered call waits this long for its dropped socket. */
const GRACE_S = 4;
/** Chromium logs each refused WebSocket upgrade as a console error: expected while the test cuts /sip. */
const REFUSED_SIP_SOCKET = /WebSocket connection to 'ws:\/\/[^']*\/sip' failed/;

/**
 * Issue 11 end to end: a caller (sipp, PCMA speech) presses 0, the ACD offers the call to the agent's
 * 网页话机 in Chromium (JsSIP over the server's /sip WebSocket, WebRTC media to the server's werift legs,
 * a fake microphone playing a 660 Hz tone), the agent clicks 接听, and the stereo recording shows whose
 * audio went where. Then what goes wrong in a browser: the microphone refused, the WebSocket dropped
 * past the grace and within it, and a second tab of the same agent.
 *
 * The pages are opened through a relay (SipSocketCutter) so the test can drop the SIP WebSocket as a
 * network loss would.
 */
describe(`workspace: a call answered in the browser phone, end to end (${testDbKind()})`, function () {
  this.timeout(150_000);
  let server: ServerHandle | undefined;
  let database: TestDatabaseUrl | undefined;
  let cutter: SipSocketCutter | undefined;
  let browser: Browser | undefined;
  let admin: ApiClient | undefined;
  const toneDir = mkdtempSync(join(tmpdir(), 'web-phone-tone-'));
  const toneFile = join(toneDir, `tone-${TONE_HZ}.wav`);
  const contexts: BrowserContext[] = [];
  const callers: SippProcess[] = [];
  const extraBrowsers: Browser[] = [];

  const srv = (): ServerHandle => {
    if (server === undefined) throw new Error('no server');
    return server;
  };
  const relay = (): SipSocketCutter => {
    if (cutter === undefined) throw new Error('no relay');
    return cutter;
  };
  const api = (): ApiClient => {
    if (admin === undefined) throw new Error('no admin client');
    return admin;
  };

  before(async () => {
    writeToneWav(toneFile, { frequencyHz: TONE_HZ, seconds: 10 });
    database = await testDatabaseUrl();
    server = await startServer(
      {
        WEBRTC_MEDIA: 'true',
        QUEUES_FILE: join(FIXTURES, 'queues.yaml'),
        IVR_FLOW: join(FIXTURES, 'agent-flow.yaml'),
        SIP_WS_CALL_GRACE_S: String(GRACE_S),
        SIP_WS_PING_S: '5',
        // The desk socket (/ws/agent) is never cut here; a long grace keeps a slow page from being marked away.
        WS_GRACE_S: '30',
      },
      { databaseUrl: database.url, readyTimeoutMs: 60_000 },
    );
    cutter = await SipSocketCutter.start(server.httpPort);
    admin = await ApiClient.login(server.baseUrl, ADMIN.username, ADMIN.password);
    browser = await launchChromium({ microphone: 'allowed', fakeAudioCapture: toneFile });
  });

  after(async () => {
    await browser?.close();
    await cutter?.close();
    await server?.stop();
    await database?.cleanup();
    rmSync(toneDir, { recursive: true, force: true });
  });

  afterEach(async function () {
    const failed = this.currentTest?.state === 'failed';
    for (const context of contexts.splice(0)) {
      if (failed) {
        for (const [i, page] of context.pages().entries()) await screenshot(page, `60-web-phone-call-failed-${i}`).catch(() => undefined);
      }
      await context.close();
    }
    for (const b of extraBrowsers.splice(0)) await b.close();
    for (const caller of callers.splice(0)) await caller.stop();
    cutter?.allow();
    if (failed && server !== undefined) {
      const file = join(tmpdir(), `web-phone-call-server-${process.pid}.log`);
      writeFileSync(file, server.logs());
      console.log(`server log: ${file}`);
    }
  });

  async function createAgent(extension: string): Promise<void> {
    const res = await api().post('/api/v1/agents', {
      username: `agent${extension}`,
      password: `pass-${extension}-secret`,
      displayName: `话务员${extension}`,
      extension,
      skills: ['general'],
      sipPassword: `sip-${extension}-secret`,
    });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
  }

  /** The 网页话机 region of a page. */
  const phoneOf = (page: Page): Locator => page.getByRole('region', { name: '网页话机' });
  const registration = (page: Page, text: string): Promise<void> =>
    page.locator('[data-test=phone-registration]', { hasText: text }).waitFor({ timeout: 20_000 });
  const callState = (page: Page, text: string, timeout = 20_000): Promise<void> =>
    page.locator('[data-test=phone-call-state]', { hasText: text }).waitFor({ timeout });

  /** Signs the agent in on a new tab of `context` (the relay's origin). */
  async function openDesk(context: BrowserContext, extension: string): Promise<{ page: Page; errors: string[] }> {
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
    page.on('console', (msg) => {
      if (msg.type() === 'error') errors.push(`console: ${msg.text()}`);
    });
    await signIn(page, `agent${extension}`, `pass-${extension}-secret`);
    expect(new URL(page.url()).pathname).to.equal('/agent');
    return { page, errors };
  }

  /** A new browser profile: signed in, 网页话机 on by itself (no desk softphone) and 已注册, 示闲. */
  async function readyAgent(extension: string, on: Browser = chrome()): Promise<{ page: Page; errors: string[]; context: BrowserContext }> {
    const { context, page, errors } = await newDesk(on, relay().baseUrl);
    contexts.push(context);
    await signIn(page, `agent${extension}`, `pass-${extension}-secret`);
    await registration(page, '已注册');
    await page.getByRole('button', { name: '示闲' }).click();
    await page.locator('[data-test=agent-state]', { hasText: '示闲' }).waitFor({ timeout: 10_000 });
    return { page, errors, context };
  }

  function chrome(): Browser {
    if (browser === undefined) throw new Error('no browser');
    return browser;
  }

  async function call(scenario: string, talkMs: number): Promise<SippProcess> {
    const caller = await startSipp({ scenario, target: `127.0.0.1:${srv().sipPort}`, mediaPort: await freePort('udp'), pauseMs: talkMs, timeoutS: 70 });
    callers.push(caller);
    return caller;
  }

  /** Rings, 接听 clicked, 通话中. */
  async function answer(page: Page): Promise<void> {
    await callState(page, '来电振铃', 30_000);
    await phoneOf(page).getByRole('button', { name: '接听', exact: true }).click();
    await callState(page, '通话中');
    // A jitter figure needs inbound RTP in getStats: the server's audio reaches the browser.
    await page.locator('[data-test=phone-quality]', { hasText: /抖动 \d+ ms/ }).waitFor({ timeout: 10_000 });
  }

  const ended = (predicate: (c: CallRecordJson) => boolean): Promise<CallRecordJson> =>
    srv().waitForCall((c) => c.endedAt !== null && predicate(c), 30_000);

  async function recording(callId: string): Promise<Wav> {
    const res = await api().get(`/api/v1/calls/${encodeURIComponent(callId)}/recording`);
    expect(res.status).to.equal(200);
    return parseWav(Buffer.from(res.body as ArrayBuffer));
  }

  it('when the agent clicks 接听 in the browser, caller and agent are on the call: both channels of the recording have sound and the 660 Hz tone of the browser microphone only on the agent’s', async () => {
    await createAgent('8601');
    const { page, errors } = await readyAgent('8601');
    const caller = await call(SCENARIOS.uacPcmaTalkBye, 4000);
    await answer(page);
    await screenshot(page, '61-web-phone-call-active');
    const result = await caller.done;
    expect(result.exitCode, describeSipp(result)).to.equal(0);
    // The caller's BYE reached the browser: the panel has no call any more.
    await page.locator('[data-test=phone-call]').waitFor({ state: 'detached', timeout: 10_000 });

    const record = await ended((c) => c.agentExtension === '8601');
    expect(record).to.include({ queue: 'general', hungUpBy: 'caller', endReason: 'hangup', hasRecording: true });
    expect(record.agentAnsweredAt).to.not.equal(null);
    const wav = await recording(record.callId);
    expect(wav.channels, 'stereo: caller left, agent right').to.equal(2);
    expect(wav.durationS, 'the talk lasted seconds').to.be.above(3);
    const [callerLevel = 0, agentLevel = 0] = rmsPerChannel(wav);
    expect(callerLevel, 'caller channel energy').to.be.above(0.01);
    expect(agentLevel, 'agent channel energy').to.be.above(0.01);
    const agentShare = toneShare(wav, TONE_HZ, 1);
    const callerShare = toneShare(wav, TONE_HZ, 0);
    expect(agentShare, `agent channel: share of ${TONE_HZ} Hz`).to.be.above(0.5);
    expect(callerShare, `caller channel: share of ${TONE_HZ} Hz`).to.be.below(0.1);
    expect(errors).to.deep.equal([]);
  });

  it('during the call the agent uses 静音, 保持 and the keypad: muted, the agent’s channel of the recording is silent for that stretch; 保持 and 恢复通话 re-INVITE the server (hold, resume); keys show as pressed', async () => {
    await createAgent('8606');
    const { page, errors } = await readyAgent('8606');
    const since = srv().logs().length;
    // ~15 s of talk after the answer: room for every step below on a loaded machine.
    const caller = await call(SCENARIOS.uacPcmaTalkBye, 15_000);
    await answer(page);
    const panel = phoneOf(page);
    await sleep(1500);
    await panel.locator('[data-test=phone-mute]').click();
    await panel.locator('[data-test=phone-mute]', { hasText: '取消静音' }).waitFor({ timeout: 5000 });
    await sleep(2500);
    await panel.locator('[data-test=phone-mute]').click();
    await panel.locator('[data-test=phone-mute]', { hasText: '静音' }).waitFor({ timeout: 5000 });

    await panel.locator('[data-test=phone-hold]').click();
    await panel.locator('[data-test=phone-hold]', { hasText: '恢复通话' }).waitFor({ timeout: 5000 });
    await waitUntil(() => srv().logs().slice(since).includes('"message":"sip: put on hold"'), 5000);
    await screenshot(page, '64-web-phone-held');
    await sleep(4000); // held long enough that its silence cannot pass for the 2.5 s mute
    await panel.locator('[data-test=phone-hold]').click();
    await panel.locator('[data-test=phone-hold]', { hasText: '保持' }).waitFor({ timeout: 5000 });
    await waitUntil(() => srv().logs().slice(since).includes('"message":"sip: resumed from hold"'), 5000);

    await panel.locator('[data-test=phone-key-5]').click();
    await panel.locator('[data-test=phone-key-0]').click();
    await panel.locator('[data-test=phone-dtmf]', { hasText: '已按键 50' }).waitFor({ timeout: 5000 });

    const result = await caller.done;
    expect(result.exitCode, describeSipp(result)).to.equal(0);
    const record = await ended((c) => c.agentExtension === '8606');
    expect(record).to.include({ hungUpBy: 'caller', hasRecording: true });
    const wav = await recording(record.callId);
    // The agent's channel (right) between its first and last sound has two silent stretches of a second or
    // more (a stretch is 100 ms windows under -46 dBFS): first the 2.5 s the microphone was muted, then the
    // hold (JsSIP's hold stops the microphone too), held 4 s and more.
    const gaps = silentStretchesS(wav, 1);
    const long = gaps.filter((s) => s >= 1.0);
    const described = `silent stretches of the agent channel: ${gaps.map((s) => s.toFixed(1)).join(', ')} s`;
    expect(long, described).to.have.length(2);
    expect(long[0], `${described}: the mute`).to.be.within(1.8, 3.5);
    expect(long[1], `${described}: the hold`).to.be.at.least(3.6);
    expect(toneShare(wav, TONE_HZ, 1), 'the tone is back after the mute').to.be.above(0.5);
    expect(errors).to.deep.equal([]);
  });

  it('when the browser refuses the microphone, 接听 shows 麦克风权限被拒绝, the call is not answered and goes back to the queue (RONA), and the page keeps working', async () => {
    await createAgent('8602');
    const denied = await launchChromium({ microphone: 'denied' });
    extraBrowsers.push(denied);
    const { page, errors } = await readyAgent('8602', denied);
    const since = Date.now();
    const caller = await call(SCENARIOS.uacPcmaTalkBye, 4000);
    await callState(page, '来电振铃', 30_000);
    await phoneOf(page).getByRole('button', { name: '接听', exact: true }).click();
    await page.locator('[data-test=phone-mic-error]', { hasText: '麦克风权限被拒绝' }).waitFor({ timeout: 10_000 });
    expect(await page.locator('[data-test=phone-call-state]').textContent()).to.equal('来电振铃');
    await screenshot(page, '62-web-phone-mic-refused');
    // Nobody answered within the queue's ringTimeoutS (5 s): RONA, the agent is made not-ready and the
    // offer is withdrawn from the phone.
    await page.locator('[data-test=agent-state]', { hasText: '来电未接听' }).waitFor({ timeout: 20_000 });
    await page.locator('[data-test=phone-call]').waitFor({ state: 'detached', timeout: 10_000 });
    expect(await page.locator('[data-test=phone-registration]').textContent()).to.equal('已注册');
    const result = await caller.done;
    expect(result.exitCode, describeSipp(result)).to.equal(0);
    const record = await ended((c) => Date.parse(c.startedAt) >= since - 1000);
    expect(record.agentAnsweredAt, 'never answered').to.equal(null);
    expect(record.hungUpBy).to.equal('caller');
    expect((await fetch(`${srv().baseUrl}/healthz`)).status).to.equal(200);
    expect(errors).to.deep.equal([]);
  });

  it('when the SIP WebSocket drops mid-call for longer than the grace, the server ends the call: the caller gets a BYE, the record says the agent side hung up, and the page ends its call', async () => {
    await createAgent('8603');
    const { page, errors } = await readyAgent('8603');
    const caller = await call(SCENARIOS.uacPcmaAwaitBye, 0);
    await answer(page);
    const droppedAt = Date.now();
    expect(relay().drop({ refuse: true }), 'one SIP socket cut').to.equal(1);
    await registration(page, '正在注册…');
    await screenshot(page, '63-web-phone-socket-down');
    const result = await caller.done;
    const waitedMs = Date.now() - droppedAt;
    expect(result.exitCode, describeSipp(result)).to.equal(0);
    expect(waitedMs, 'the server waited the grace before hanging up').to.be.above(GRACE_S * 1000 - 200);
    const record = await ended((c) => c.agentExtension === '8603');
    expect(record).to.include({ hungUpBy: 'callee', endReason: 'hangup' });
    expect(record.agentAnsweredAt).to.not.equal(null);
    // The desk left 通话中, so the phone ended the call it still held (no BYE could reach it).
    await page.locator('[data-test=phone-call]').waitFor({ state: 'detached', timeout: 10_000 });
    relay().allow();
    await registration(page, '已注册');
    expect(errors.filter((e) => !REFUSED_SIP_SOCKET.test(e))).to.deep.equal([]);
  });

  it('when the SIP WebSocket drops mid-call and comes back within the grace, the call goes on over the new socket (re-INVITE) until the caller hangs up', async () => {
    await createAgent('8604');
    const { page, errors } = await readyAgent('8604');
    const connectionsBefore = relay().sipConnections;
    // The caller talks ~16 s after its ACK: long after the drop plus the grace.
    const caller = await call(SCENARIOS.uacPcmaTalkBye, 8000);
    await answer(page);
    const droppedAt = Date.now();
    expect(relay().drop(), 'one SIP socket cut').to.equal(1);
    await registration(page, '正在注册…');
    await registration(page, '已注册');
    expect(relay().sipConnections - connectionsBefore, 'the page opened a new SIP socket').to.equal(1);
    expect(await page.locator('[data-test=phone-call-state]').textContent()).to.equal('通话中');
    await screenshot(page, '64-web-phone-call-resumed');
    const result = await caller.done;
    expect(result.exitCode, describeSipp(result)).to.equal(0);
    expect(Date.now() - droppedAt, 'the call outlived the grace').to.be.above(GRACE_S * 1000 + 1000);
    const record = await ended((c) => c.agentExtension === '8604');
    expect(record).to.include({ hungUpBy: 'caller', endReason: 'hangup', hasRecording: true });
    expect(srv().logs()).to.include('dialog moved to a new websocket connection');
    // The agent is still heard at the end of the call, after the new socket took over.
    const wav = await recording(record.callId);
    const lastSeconds = { fromS: Math.max(0, wav.durationS - 3) };
    expect(rmsPerChannel(wav, lastSeconds)[1] ?? 0, 'agent channel energy, last 3 s').to.be.above(0.01);
    expect(toneShare(wav, TONE_HZ, 1, lastSeconds), `agent channel ${TONE_HZ} Hz share, last 3 s`).to.be.above(0.5);
    await page.locator('[data-test=phone-call]').waitFor({ state: 'detached', timeout: 10_000 });
    expect(errors).to.deep.equal([]);
  });

  it('when the agent opens a second tab, it takes the phone over: the first shows 已被接管 with 在此接听, the call rings in the second, and 在此接听 takes it back', async () => {
    await createAgent('8605');
    const first = await readyAgent('8605');
    // Same profile, no click: the second tab's hello says a browser has the extension, so its phone starts by itself (and takes it over).
    const second = await openDesk(first.context, '8605');
    await registration(second.page, '已注册');
    await first.page.locator('[data-test=phone-taken-over]').waitFor({ timeout: 10_000 });
    expect(await first.page.locator('[data-test=phone-registration]').textContent()).to.equal('已被接管');
    await screenshot(first.page, '65-web-phone-taken-over');

    const caller = await call(SCENARIOS.uacPcmaTalkBye, 2000);
    await answer(second.page);
    expect(await first.page.locator('[data-test=phone-call]').count(), 'the first tab does not ring').to.equal(0);
    const result = await caller.done;
    expect(result.exitCode, describeSipp(result)).to.equal(0);
    const record = await ended((c) => c.agentExtension === '8605');
    expect(record).to.include({ hungUpBy: 'caller', endReason: 'hangup' });
    expect(record.agentAnsweredAt).to.not.equal(null);

    await phoneOf(first.page).getByRole('button', { name: '在此接听' }).click();
    await registration(first.page, '已注册');
    await second.page.locator('[data-test=phone-taken-over]').waitFor({ timeout: 10_000 });
    expect(first.errors).to.deep.equal([]);
    expect(second.errors).to.deep.equal([]);
  });
});



/** Lengths (s) of the silent runs of 100 ms windows (RMS < 0.005) of `channel`, between its first and last sound. */
function silentStretchesS(wav: Wav, channel: number): number[] {
  const windows = Math.floor(wav.durationS * 10);
  const loud = Array.from({ length: windows }, (_, i) => (rmsPerChannel(wav, { fromS: i / 10, toS: (i + 1) / 10 })[channel] ?? 0) >= 0.005);
  const first = loud.indexOf(true);
  const last = loud.lastIndexOf(true);
  const runs: number[] = [];
  let run = 0;
  for (let i = first; i <= last && first >= 0; i++) {
    if (loud[i]) {
      if (run > 0) runs.push(run / 10);
      run = 0;
    } else run++;
  }
  return runs;
}
