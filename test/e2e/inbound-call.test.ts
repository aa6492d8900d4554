import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { ApiClient } from '../support/api-client.js';
import { firstLeafCategory } from '../support/order-helpers.js';
import { freePort, freePortRange } from '../support/ports.js';
import { ADMIN, startServer, type CallRecordJson, type ServerHandle } from '../support/server-process.js';
import { describeSipp, garbageDatagram, malformedInvite, runSipp, sendRawUdp, SCENARIOS } from '../support/sipp.js';
import { startBaresip, type Baresip } from '../support/baresip.js';
import { readWav, rmsPerChannel } from '../support/wav.js';
import { testDatabaseUrl, testDbKind, type TestDatabaseUrl } from '../support/test-database.js';

/**
 * A resident's call end to end, against the real server process (SIP engine, media, IVR, database)
 * with real SIP clients: sipp for signalling and RFC 2833 key presses, baresip for audio.
 */
describe(`inbound call, end to end (${testDbKind()})`, function () {
  this.timeout(60_000);
  let server: ServerHandle;
  let database: TestDatabaseUrl;

  before(async () => {
    database = await testDatabaseUrl();
    server = await startServer({ DRAIN_TIMEOUT_S: '2' }, { databaseUrl: database.url });
  });

  after(async () => {
    await server.stop();
    await database.cleanup();
  });

  async function callSipp(scenario: string, dtmf?: string | string[]): Promise<string> {
    const mediaPort = await freePortRange(4);
    const result = await runSipp({ scenario, target: `127.0.0.1:${server.sipPort}`, mediaPort, timeoutS: 30, traceMessages: true, ...(dtmf ? { dtmf } : {}) });
    expect(result.exitCode, `${describeSipp(result)}\n--- server ---\n${server.tail(30)}`).to.equal(0);
    const callId = /Call-ID:\s*(\S+)/i.exec(result.messages)?.[1];
    expect(callId, 'the Call-ID sipp used').to.be.a('string');
    return callId ?? '';
  }

  function finished(callId: string): Promise<CallRecordJson> {
    return server.waitForCall((c) => c.callId === callId && c.endedAt !== null, 15_000);
  }

  /** The server's JSON log lines of one call, parsed. */
  function logOf(callId: string): { message: string; timestamp: string; [k: string]: unknown }[] {
    return server
      .logs()
      .split('\n')
      .filter((line) => line.startsWith('{') && line.includes(callId))
      .map((line) => JSON.parse(line) as { message: string; timestamp: string });
  }

  for (const [key, queue, node] of [['2', 'complaint', 'complaint'], ['1', 'consult', 'consult'], ['0', 'general', 'agent']] as const) {
    it(`when the caller presses ${key} during the welcome, it joins the ${queue} queue at once (key, then queue entry, under 1 s) and its prompt is left to the queue`, async () => {
      const callId = await callSipp(SCENARIOS.uacDtmfBye, key);
      const call = await finished(callId);
      expect(call).to.include({ direction: 'inbound', to: '12345', digits: key, queue, endReason: 'hangup', hungUpBy: 'caller' });
      expect(call.ivrPath.split(',')).to.deep.equal(['welcome', 'notices', 'main-menu', node]);
      expect(call.queuedAt).to.be.a('string');
      expect(call.answeredAt).to.be.a('string');
      // Answered at once: the 200 OK follows the INVITE by far less than a second.
      expect(Date.parse(call.answeredAt ?? '') - Date.parse(call.startedAt)).to.be.below(1000);
      // Server side, in order: the DTMF key reaches the IVR, the ACD records the caller as entered,
      // and only then does the branch's prompt play (it used to play before the queue, 4.4 s for 0).
      const lines = logOf(callId);
      const at = (message: string): number => lines.findIndex((l) => l.message === message);
      const key1 = at('ivr key');
      const entered = lines.findIndex((l) => l.message === 'caller queued' && l.queue === queue);
      const handed = at('ivr handed the caller to the queue');
      expect(key1, server.tail(40)).to.be.at.least(0);
      expect(entered, 'the ACD queue entry comes after the key').to.be.above(key1);
      expect(handed).to.be.above(entered);
      const keyToQueueMs = lines[handed]?.keyToQueueMs;
      expect(keyToQueueMs, 'key → queue, measured by the server').to.be.a('number').below(1000);
      console.log(`      key ${key} → ${queue} queue entry: ${String(keyToQueueMs)} ms (server side)`);
    });
  }

  it('when a caller with no open order presses 3, it is asked for the order code (the code entry itself: baresip tests below)', async () => {
    // sipp's captures share one RTP timestamp per digit, so a code (digits repeat) cannot be keyed with them.
    const callId = await callSipp(SCENARIOS.uacDtmfBye, '3');
    const call = await finished(callId);
    expect(call.digits).to.equal('3');
    expect(call.ivrPath.split(',')).to.deep.equal(['welcome', 'notices', 'main-menu', 'progress', 'progress-code']);
    expect(call).to.include({ endReason: 'hangup', hungUpBy: 'caller', queue: null });
  });

  it('when the caller hangs up in the middle of the welcome prompt, it records a caller hang-up after the answer', async () => {
    const callId = await callSipp(SCENARIOS.uacByeEarly);
    const call = await finished(callId);
    expect(call).to.include({ endReason: 'hangup', hungUpBy: 'caller', digits: '' });
    expect(call.ivrPath).to.equal('welcome');
    expect(Date.parse(call.endedAt ?? '') - Date.parse(call.answeredAt ?? '')).to.be.within(500, 3000);
  });

  it('when a malformed datagram and random bytes arrive, it answers 400 where it can and the next call still works', async () => {
    // Answerable (Via, Call-ID, From, To present) but with a broken CSeq: 400 naming it.
    const badCseq = (local: number): string =>
      [
        `INVITE sip:12345@127.0.0.1:${server.sipPort} SIP/2.0`,
        `Via: SIP/2.0/UDP 127.0.0.1:${local};branch=z9hG4bK-bad-cseq;rport`,
        'From: <sip:13800000000@127.0.0.1>;tag=a1',
        'To: <sip:12345@127.0.0.1>',
        'Call-ID: bad-cseq@127.0.0.1',
        'CSeq: abc INVITE',
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n');
    const reply = await sendRawUdp(server.sipPort, badCseq);
    expect(reply?.toString('latin1') ?? '', 'reply to the INVITE with a bad CSeq').to.match(/^SIP\/2\.0 400 .*CSeq/i);
    // Not answerable (no Call-ID, wrong Content-Length): dropped, and nothing breaks.
    expect(await sendRawUdp(server.sipPort, (local) => malformedInvite(server.sipPort, local), 300)).to.equal(undefined);
    await sendRawUdp(server.sipPort, garbageDatagram(), 300);
    await sendRawUdp(server.sipPort, Buffer.from('INVITE sip:12345@127.0.0.1 SIP/2.0\r\nVia: garbage\r\n\r\n'), 300);
    const options = await runSipp({ scenario: SCENARIOS.options, target: `127.0.0.1:${server.sipPort}`, timeoutS: 10 });
    expect(options.exitCode, describeSipp(options)).to.equal(0);
    const callId = await callSipp(SCENARIOS.uacDtmfBye, '1');
    expect(await finished(callId)).to.include({ digits: '1', endReason: 'hangup', queue: 'consult' });
    const health = await fetch(`${server.baseUrl}/healthz`);
    expect(health.status).to.equal(200);
  });

  /** An order for `phone` dispatched to the first unit (as the admin, through the API). */
  async function orderFor(phone: string): Promise<{ code: string; unitName: string }> {
    const admin = await ApiClient.login(server.baseUrl, ADMIN.username, ADMIN.password);
    const units = (await admin.get('/api/v1/units')).body as { items: { id: number; name: string }[] };
    const unit = units.items[0];
    if (unit === undefined) throw new Error('no unit seeded');
    const created = await admin.post('/api/v1/tickets', {
      requestType: 'complaint',
      categoryId: await firstLeafCategory(admin),
      content: '小区门口路灯损坏多日,夜间出行不便,请尽快维修。',
      address: '朝阳区某小区东门',
      residentPhone: phone,
      handlingUnitId: unit.id,
    });
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    return { code: (created.body as { code: string }).code, unitName: unit.name };
  }

  /** Waits until the server log has a line with all of `parts` (real espeak-ng runs in between). */
  async function logLine(callId: (l: string) => boolean, parts: string[], timeoutMs = 20_000): Promise<string> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const line = server.logs().split('\n').find((l) => callId(l) && parts.every((p) => l.includes(p)));
      if (line !== undefined) return line;
      if (Date.now() > until) throw new Error(`no log line with ${parts.join(' + ')}:\n${server.tail(30)}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  it('when a resident with an open order presses 3 then 1, the server speaks the order\'s state (espeak-ng) and the caller hears it', async function () {
    if (spawnSync('espeak-ng', ['--version']).error !== undefined) this.skip();
    const phoneNumber = '13800138555';
    const { code, unitName } = await orderFor(phoneNumber);
    const phone: Baresip = await startBaresip({ account: { user: phoneNumber, register: false, answerMode: 'auto' } });
    try {
      const since = phone.mark();
      await phone.dial(`sip:12345@127.0.0.1:${server.sipPort}`);
      await phone.waitForEvent('CALL_ESTABLISHED', 10_000, since);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      await phone.sendDtmf('3');
      const mine = (l: string): boolean => l.includes(phoneNumber.slice(-4)) || l.includes('"nodeId":"progress');
      await logLine(mine, ['ivr speak', '"nodeId":"progress-offer"']);
      await phone.sendDtmf('1');
      const read = await logLine(mine, ['ivr speak', '"nodeId":"progress-read"']);
      // Let some of the order's state play, then hang up.
      await new Promise((resolve) => setTimeout(resolve, 4000));
      await phone.hangup();
      await phone.waitForEvent('CALL_CLOSED', 10_000, since);
      const call = await server.waitForCall((c) => c.from === phoneNumber && c.endedAt !== null, 10_000);
      expect(call.ivrPath.split(',')).to.deep.equal(['welcome', 'notices', 'main-menu', 'progress', 'progress-offer', 'progress-offer-menu', 'progress-read']);
      const spoke = JSON.parse(await logLine((l) => l.includes(call.callId), ['ivr spoke'])) as { texts: string[] };
      const [offer, state] = spoke.texts;
      expect(offer).to.equal('您有一张正在办理的工单。');
      expect(state).to.include(`承办单位${unitName}`).and.include('目前已派单').and.include('受理').and.include('答复期限');
      expect(state).to.include(code.replace(/\D/g, '').slice(-3).replace(/1/g, '幺').replace(/2/g, '二').replace(/3/g, '三').replace(/0/g, '零').replace(/[4-9]/g, (d) => '四五六七八九'[Number(d) - 4] ?? ''));
      const synthMs = (JSON.parse(read) as { ms: number }).ms;
      console.log(`      espeak-ng synthesis of the order state: ${synthMs} ms`);
      const heard = phone.recordings('dec');
      const wav = readWav(heard[heard.length - 1] ?? '');
      const [rms] = rmsPerChannel(wav);
      expect(rms ?? 0, 'energy of what the caller heard (prompts and synthesised speech)').to.be.above(0.01);
    } finally {
      await phone.stop();
    }
  });

  it('when another number keys that order\'s code, it hears no details and is queued for an agent with the order attached', async () => {
    const { code } = await orderFor('13800138666');
    const stranger = '13900139666';
    const phone: Baresip = await startBaresip({ account: { user: stranger, register: false, answerMode: 'auto' } });
    try {
      const since = phone.mark();
      await phone.dial(`sip:12345@127.0.0.1:${server.sipPort}`);
      await phone.waitForEvent('CALL_ESTABLISHED', 10_000, since);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      await phone.sendDtmf('3');
      await new Promise((resolve) => setTimeout(resolve, 1500));
      await phone.sendDigits(code.replace(/\D/g, ''), 300);
      const queued = await server.waitForCall((c) => c.from === stranger && c.queue === 'general', 15_000);
      await phone.hangup();
      await phone.waitForEvent('CALL_CLOSED', 10_000, since);
      const call = await server.waitForCall((c) => c.callId === queued.callId && c.endedAt !== null, 10_000);
      expect(call.ivrPath.split(',')).to.deep.equal(['welcome', 'notices', 'main-menu', 'progress', 'progress-code', 'progress-lookup', 'progress-not-owner']);
      const line = await logLine((l) => l.includes(call.callId), ['caller queued', '"orderCode"']);
      expect((JSON.parse(line) as { orderCode: string }).orderCode).to.equal(code);
      expect(server.logs().split('\n').some((l) => l.includes(call.callId) && l.includes('ivr spoke')), 'nothing synthesised for a stranger').to.equal(false);
    } finally {
      await phone.stop();
    }
  });

  it('when a softphone (baresip) calls and presses 1, it hears the prompts and the consult announcement while queued', async () => {
    const phone: Baresip = await startBaresip({ account: { user: '13800138000', register: false, answerMode: 'auto' } });
    try {
      const since = phone.mark();
      await phone.dial(`sip:12345@127.0.0.1:${server.sipPort}`);
      await phone.waitForEvent('CALL_ESTABLISHED', 10_000, since);
      await new Promise((resolve) => setTimeout(resolve, 1500));
      await phone.sendDtmf('1');
      await server.waitForCall((c) => c.from === '13800138000' && c.queue === 'consult', 10_000);
      // The consult announcement and the queue prompt play while the caller waits.
      await new Promise((resolve) => setTimeout(resolve, 3000));
      await phone.hangup();
      await phone.waitForEvent('CALL_CLOSED', 10_000, since);
      const call = await server.waitForCall((c) => c.from === '13800138000' && c.endedAt !== null, 10_000);
      expect(call).to.include({ digits: '1', endReason: 'hangup', hungUpBy: 'caller', queue: 'consult' });
      expect(call.ivrPath.split(',')).to.deep.equal(['welcome', 'notices', 'main-menu', 'consult']);
      const heard = phone.recordings('dec');
      expect(heard, 'baresip recording of what it heard').to.have.length.above(0);
      const wav = readWav(heard[heard.length - 1] ?? '');
      // welcome (until the key) + the consult announcement in the queue: several seconds of speech.
      expect(wav.durationS).to.be.above(3);
      const [rms] = rmsPerChannel(wav);
      expect(rms ?? 0, 'energy of the prompts baresip heard').to.be.above(0.01);
    } finally {
      await phone.stop();
    }
  });
});

describe(`inbound call while ringing and at shutdown, end to end (${testDbKind()})`, function () {
  this.timeout(60_000);

  it('when the caller cancels while it rings, it answers 200 and 487 and records a cancelled, unanswered call', async () => {
    const database = await testDatabaseUrl();
    const server = await startServer({ SIP_ANSWER_DELAY_MS: '3000' }, { databaseUrl: database.url });
    try {
      const result = await runSipp({ scenario: SCENARIOS.uacCancel, target: `127.0.0.1:${server.sipPort}`, timeoutS: 15, localPort: await freePort('udp') });
      expect(result.exitCode, `${describeSipp(result)}\n${server.tail(20)}`).to.equal(0);
      const call = await server.waitForCall((c) => c.endedAt !== null, 10_000);
      expect(call).to.include({ endReason: 'cancelled', hungUpBy: 'caller', answeredAt: null });
    } finally {
      await server.stop();
      await database.cleanup();
    }
  });

  it('when SIGTERM comes during a call, it refuses new calls, hangs up after the drain period and exits 0', async () => {
    const database = await testDatabaseUrl();
    const server = await startServer({ DRAIN_TIMEOUT_S: '2' }, { databaseUrl: database.url });
    const phone = await startBaresip({ account: { user: '13900139000', register: false, answerMode: 'auto' } });
    try {
      const since = phone.mark();
      await phone.dial(`sip:12345@127.0.0.1:${server.sipPort}`);
      await phone.waitForEvent('CALL_ESTABLISHED', 10_000, since);
      const stopping = server.stop('SIGTERM');
      await new Promise((resolve) => setTimeout(resolve, 500));
      const refused = await runSipp({ scenario: SCENARIOS.uacCancel, target: `127.0.0.1:${server.sipPort}`, timeoutS: 5, traceMessages: true });
      expect(refused.messages).to.match(/SIP\/2\.0 503 /);
      await phone.waitForEvent('CALL_CLOSED', 10_000, since);
      expect(await stopping).to.equal(0);
      // The record was finished before the exit: a server started on the same database shows it.
      const again = await startServer({}, { databaseUrl: database.url });
      try {
        const [call] = await again.calls();
        expect(call).to.include({ from: '13900139000', endReason: 'shutdown', hungUpBy: 'system' });
      } finally {
        await again.stop();
      }
    } finally {
      await phone.stop();
      await database.cleanup();
    }
  });
});
