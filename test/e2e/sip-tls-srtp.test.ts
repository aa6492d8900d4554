import { expect } from 'chai';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { encodeRtp } from '../../src/media/rtp-packet.js';
import { ApiClient, DesktopClient } from '../support/api-client.js';
import { makeToneWav, startBaresip, type Baresip } from '../support/baresip.js';
import { RawSipCall } from '../support/raw-sip-call.js';
import { ADMIN, type ServerHandle } from '../support/server-process.js';
import { testDbKind, type TestDatabaseUrl } from '../support/test-database.js';
import { startTlsAgentRig } from '../support/tls-agent.js';
import { parseWav, readWav, rmsPerChannel, toneHz } from '../support/wav.js';

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Waits (20 s at most) for the server to log the extension's registration over TLS. */
async function registered(server: ServerHandle, extension: string): Promise<void> {
  const done = (l: string): boolean => l.includes('"message":"sip: extension registered"') && l.includes(`"extension":"${extension}"`) && l.includes('"transport":"tls"');
  for (let i = 0; i < 200; i++) {
    if (server.logs().split('\n').some(done)) return;
    await sleep(100);
  }
  throw new Error(`extension ${extension} did not register over TLS:\n${server.tail(20)}`);
}

/** The SRTP packets the server dropped, by reason, from /metrics. */
async function srtpDropped(server: ServerHandle, reason: 'auth' | 'replay'): Promise<number> {
  const metrics = await (await fetch(`${server.baseUrl}/metrics`)).text();
  return Number(new RegExp(`^hotline_srtp_packets_dropped_total\\{reason="${reason}"\\} (\\d+)`, 'm').exec(metrics)?.[1] ?? '0');
}

/**
 * SRTP with SDES keys (RFC 4568) on a SIP-over-TLS leg, with a real desk softphone: baresip registers
 * over TLS with `mediaenc=srtp-mand` (RTP/SAVP only) and the server runs SRTP_SDES=require. A caller
 * on plain RTP reaches it through the queue; both hear each other (each side decrypts what the other
 * sent) and the recording holds both tones, not noise. Keys over UDP are refused with a 488 naming why.
 */
describe(`SRTP (SDES) on SIP-over-TLS legs, end to end (${testDbKind()})`, function () {
  this.timeout(120_000);
  let server: ServerHandle;
  let database: TestDatabaseUrl;
  let agentPhone: Baresip | undefined;
  let tlsPort: number;

  before(async () => {
    ({ server, database, tlsPort, phone: agentPhone } = await startTlsAgentRig('8301', { env: { SRTP_SDES: 'require' }, mediaenc: 'srtp-mand' }));
  });

  after(async () => {
    await agentPhone?.stop();
    await (server as ServerHandle | undefined)?.stop();
    await (database as TestDatabaseUrl | undefined)?.cleanup();
  });

  it('when a plain-RTP caller is queued to the TLS softphone with mandatory SRTP, both hear each other, the recording holds both tones, and forged SRTP is dropped and counted', async () => {
    const agent = agentPhone;
    if (agent === undefined) throw new Error('no agent phone');
    // The server's log, not baresip's REGISTER_OK: a registration done before ctrl_tcp is connected sends its event to nobody.
    await registered(server, '8301');
    const api = await ApiClient.login(server.baseUrl, 'agent8301', 'pass-8301');
    const desk = await DesktopClient.connect(server.baseUrl, api.bearer);
    const caller = await startBaresip({
      audioSource: makeToneWav(undefined, { frequency: 440, seconds: 90, volume: 0.3 }),
      account: { user: '13800138301', register: false, answerMode: 'auto', codecs: 'PCMU' },
    });
    try {
      await desk.waitFor((f) => f.type === 'hello');
      desk.send({ type: 'ready' });
      await desk.waitFor((f) => f.type === 'state' && f.state === 'ready', 5000);
      const agentSince = agent.mark();
      const callerSince = caller.mark();
      await caller.dial(`sip:12345@127.0.0.1:${server.sipPort}`);
      await caller.waitForEvent('CALL_ESTABLISHED', 15_000, callerSince);
      await sleep(1500);
      await caller.sendDtmf('0');
      await agent.waitForEvent('CALL_ESTABLISHED', 20_000, agentSince);
      await desk.waitFor((f) => f.type === 'connected', 10_000);
      // The agent's leg runs SRTP: its RTP port is in the server's log line (never a key).
      let line: string | undefined;
      for (let i = 0; i < 100 && line === undefined; i++) {
        line = server.logs().split('\n').find((l) => l.includes('"message":"SRTP (SDES) media"'));
        if (line === undefined) await sleep(50);
      }
      expect(line, server.tail(40)).to.be.a('string');
      expect(line).to.include('AES_CM_128_HMAC_SHA1_80');
      const rtpPort = Number(/"rtpPort":(\d+)/.exec(line ?? '')?.[1]);
      expect(rtpPort).to.be.above(0);
      await sleep(1500);
      // Forgeries at the agent leg's port from another port: clear RTP, and an SRTP-shaped packet with a made-up tag.
      const authBefore = await srtpDropped(server, 'auth');
      const forger = createSocket('udp4');
      forger.bind(0, '127.0.0.1');
      await once(forger, 'listening');
      for (let i = 0; i < 5; i++) {
        forger.send(encodeRtp({ payloadType: 0, marker: false, sequenceNumber: 60000 + i, timestamp: i * 160, ssrc: 0xbad, payload: Buffer.alloc(160, 0x7f) }), rtpPort, '127.0.0.1');
        forger.send(Buffer.concat([encodeRtp({ payloadType: 0, marker: false, sequenceNumber: 61000 + i, timestamp: i * 160, ssrc: 0xbad, payload: Buffer.alloc(160, 0x11) }), Buffer.alloc(10, 0x5a)]), rtpPort, '127.0.0.1');
      }
      let authAfter = authBefore;
      for (let i = 0; i < 40 && authAfter - authBefore < 10; i++) {
        await sleep(100);
        authAfter = await srtpDropped(server, 'auth');
      }
      forger.close();
      expect(authAfter - authBefore, 'hotline_srtp_packets_dropped_total{reason="auth"}').to.be.at.least(10);
      await sleep(2500);
      await caller.hangup();
      await agent.waitForEvent('CALL_CLOSED', 20_000, agentSince);
    } finally {
      desk.close();
      await caller.stop();
    }
    expect(server.logs()).to.include('SRTP packet failed authentication, dropped');

    const call = await server.waitForCall((c) => c.endedAt !== null && c.agentExtension === '8301', 30_000);
    expect(call).to.include({ queue: 'general', hasRecording: true });
    const admin = await ApiClient.login(server.baseUrl, ADMIN.username, ADMIN.password);
    const rec = await admin.get(`/api/v1/calls/${encodeURIComponent(call.callId)}/recording`);
    expect(rec.status).to.equal(200);
    const wav = parseWav(Buffer.from(rec.body as ArrayBuffer));
    const [left, right] = rmsPerChannel(wav);
    console.log(`      recording: caller ${toneHz(wav, 0).toFixed(0)} Hz rms ${(left ?? 0).toFixed(3)}, agent (SRTP) ${toneHz(wav, 1).toFixed(0)} Hz rms ${(right ?? 0).toFixed(3)}`);
    expect(left ?? 0, 'the caller’s 440 Hz on the caller channel').to.be.above(0.02);
    expect(right ?? 0, 'the phone’s 880 Hz on the agent channel (decrypted SRTP)').to.be.above(0.02);
    expect(toneHz(wav, 0), 'caller channel frequency').to.be.within(400, 480);
    expect(toneHz(wav, 1), 'agent channel frequency: a tone, not undecrypted noise').to.be.within(820, 940);

    // What the softphone heard through SRTP (it decrypted our packets): the caller's 440 Hz.
    const heardByAgent = agent.recordings('dec');
    const agentWav = readWav(heardByAgent[heardByAgent.length - 1] ?? '');
    expect(toneHz(agentWav, 0), 'what the SRTP phone heard').to.be.within(400, 480);
    expect(agentWav.durationS).to.be.above(3);
  });

  it('when a phone offers RTP/SAVP keys over plain UDP, the INVITE gets 488 with a Warning saying keys in clear protect nothing', async () => {
    const key = Buffer.alloc(30, 9).toString('base64');
    const call = await RawSipCall.open({ serverPort: server.sipPort, sdpProfile: 'RTP/SAVP', sdpAttributes: [`a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${key}`] });
    try {
      const reply = await call.invite();
      expect(reply.status).to.equal(488);
      expect(reply.text).to.match(/^Warning: 399 hotline "SDP offer: RTP\/SAVP with SDES keys \(a=crypto\) came over udp: keys sent in clear protect nothing/m);
      expect(reply.text).not.to.include(key);
    } finally {
      call.close();
    }
    for (let i = 0; i < 40 && !server.logs().includes('came over udp'); i++) await sleep(50);
    expect(server.logs()).to.include('came over udp');
    expect(server.logs(), 'no key material in the log').not.to.include(key);
  });

  it('when the TLS softphone calls 12345 itself offering RTP/SAVP, the server answers with SRTP and the phone hears the IVR', async () => {
    const agent = agentPhone;
    if (agent === undefined) throw new Error('no agent phone');
    const since = agent.mark();
    const srtpLinesBefore = server.logs().split('"message":"SRTP (SDES) media"').length;
    await agent.dial(`sip:12345@127.0.0.1:${tlsPort};transport=tls`);
    await agent.waitForEvent('CALL_ESTABLISHED', 15_000, since);
    await sleep(4000);
    await agent.hangup();
    await agent.waitForEvent('CALL_CLOSED', 10_000, since);
    expect(server.logs().split('"message":"SRTP (SDES) media"').length).to.be.above(srtpLinesBefore);
    const heard = agent.recordings('dec');
    const wav = readWav(heard[heard.length - 1] ?? '');
    const [level] = rmsPerChannel(wav);
    expect(level ?? 0, 'energy of the IVR prompts the phone decrypted').to.be.above(0.01);
  });
});

/**
 * The default policy (SRTP_SDES=offer) with a phone doing best-effort SRTP (baresip `mediaenc=srtp`:
 * RTP/AVP with a=crypto): our offer to it carries a key, it answers with its own, and the call is SRTP.
 */
describe(`SRTP (SDES) best effort with the default SRTP_SDES=offer, end to end (${testDbKind()})`, function () {
  this.timeout(120_000);
  let server: ServerHandle;
  let database: TestDatabaseUrl;
  let agentPhone: Baresip | undefined;

  before(async () => {
    ({ server, database, phone: agentPhone } = await startTlsAgentRig('8302', { mediaenc: 'srtp' }));
  });

  after(async () => {
    await agentPhone?.stop();
    await (server as ServerHandle | undefined)?.stop();
    await (database as TestDatabaseUrl | undefined)?.cleanup();
  });

  it('when a queued call is offered to a TLS softphone with best-effort SRTP, the call runs SRTP and both tones are in the recording', async () => {
    const agent = agentPhone;
    if (agent === undefined) throw new Error('no agent phone');
    await registered(server, '8302');
    const api = await ApiClient.login(server.baseUrl, 'agent8302', 'pass-8302');
    const desk = await DesktopClient.connect(server.baseUrl, api.bearer);
    const caller = await startBaresip({
      audioSource: makeToneWav(undefined, { frequency: 440, seconds: 90, volume: 0.3 }),
      account: { user: '13800138302', register: false, answerMode: 'auto', codecs: 'PCMU' },
    });
    try {
      await desk.waitFor((f) => f.type === 'hello');
      desk.send({ type: 'ready' });
      await desk.waitFor((f) => f.type === 'state' && f.state === 'ready', 5000);
      const agentSince = agent.mark();
      const callerSince = caller.mark();
      await caller.dial(`sip:12345@127.0.0.1:${server.sipPort}`);
      await caller.waitForEvent('CALL_ESTABLISHED', 15_000, callerSince);
      await sleep(1500);
      await caller.sendDtmf('0');
      await agent.waitForEvent('CALL_ESTABLISHED', 20_000, agentSince);
      await sleep(4000);
      await caller.hangup();
      await agent.waitForEvent('CALL_CLOSED', 20_000, agentSince);
    } finally {
      desk.close();
      await caller.stop();
    }
    expect(server.logs(), 'the agent leg ran SRTP').to.include('"message":"SRTP (SDES) media"');
    const call = await server.waitForCall((c) => c.endedAt !== null && c.agentExtension === '8302', 30_000);
    const admin = await ApiClient.login(server.baseUrl, ADMIN.username, ADMIN.password);
    const rec = await admin.get(`/api/v1/calls/${encodeURIComponent(call.callId)}/recording`);
    expect(rec.status).to.equal(200);
    const wav = parseWav(Buffer.from(rec.body as ArrayBuffer));
    expect(toneHz(wav, 0), 'caller channel').to.be.within(400, 480);
    expect(toneHz(wav, 1), 'agent channel (decrypted SRTP)').to.be.within(820, 940);
    const heardByAgent = agent.recordings('dec');
    expect(toneHz(readWav(heardByAgent[heardByAgent.length - 1] ?? ''), 0), 'what the SRTP phone heard').to.be.within(400, 480);
  });
});
