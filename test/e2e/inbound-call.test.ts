import { expect } from 'chai';
import { freePort, freePortRange } from '../support/ports.js';
import { startServer, type CallRecordJson, type ServerHandle } from '../support/server-process.js';
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
      expect(call.ivrPath.split(',')).to.deep.equal(['welcome', 'main-menu', node]);
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

  it('when the caller enters an order number after pressing 3, it reads it back and the digits are all recorded', async () => {
    const callId = await callSipp(SCENARIOS.uacDtmf, ['3', '1', '2', '4', '5', 'pound']);
    const call = await finished(callId);
    expect(call.digits).to.equal('31245#');
    expect(call.ivrPath.split(',')).to.deep.equal(['welcome', 'main-menu', 'progress', 'read-back', 'goodbye']);
    expect(call).to.include({ endReason: 'hangup', hungUpBy: 'system' });
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
      expect(call.ivrPath.split(',')).to.deep.equal(['welcome', 'main-menu', 'consult']);
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
