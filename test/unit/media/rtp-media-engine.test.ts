import { expect } from 'chai';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import sinon from 'sinon';
import { silentLogger } from '../../../src/logging/logger.js';
import { MediaError } from '../../../src/media/media-error.js';
import { RtpMediaEngine, type RtpMediaEngineOptions } from '../../../src/media/rtp-media-engine.js';
import { UdpPeer, offerTo, sleep } from './udp-peer.js';

const promptsDir = fileURLToPath(new URL('../../fixtures/media/prompts', import.meta.url));
/** A port range of our own per run, so parallel test runs on this machine rarely meet. */
const basePort = 20000 + 2 * Math.floor(Math.random() * 15000);

describe('RtpMediaEngine', () => {
  let engine: RtpMediaEngine;
  const peers: UdpPeer[] = [];

  async function makeEngine(extra: Partial<RtpMediaEngineOptions> = {}): Promise<RtpMediaEngine> {
    engine = await RtpMediaEngine.create({
      bindAddress: '127.0.0.1',
      publicAddress: '127.0.0.1',
      portMin: basePort,
      portMax: basePort + 40,
      promptsDir,
      logger: silentLogger(),
      ...extra,
    });
    return engine;
  }

  async function peer(): Promise<UdpPeer> {
    const p = await UdpPeer.open();
    peers.push(p);
    return p;
  }

  afterEach(async () => {
    sinon.restore();
    await engine.close();
    for (const p of peers.splice(0)) p.close();
  });

  it('when playing a 1 s prompt, it sends 50 paced packets with consecutive seq and timestamps +160', async () => {
    await makeEngine({ comfortSilence: false });
    const phone = await peer();
    const session = await engine.createSession('call-1');
    session.setSignallingAddress('127.0.0.1'); // the INVITE came from the phone's own address
    session.answerOffer(offerTo(phone.port));
    session.confirmRemote(); // the ACK
    engine.resetPacingStats();
    const started = performance.now();
    expect(await session.play(['tone-1s'])).to.equal('completed');
    const elapsed = performance.now() - started;
    await sleep(50);
    const packets = phone.received.map((r) => r.packet);
    expect(packets).to.have.length(50);
    // Paced, not sent in a burst (only a lower bound: upper bounds and percentiles belong to `npm run bench`).
    expect(elapsed).to.be.at.least(940);
    expect(packets[0]?.marker).to.equal(true);
    const tone = engine.prompts.get('tone-1s');
    packets.forEach((p, i) => {
      const first = packets[0];
      if (first === undefined) throw new Error('no packet');
      expect(p.payloadType).to.equal(0);
      expect(p.ssrc).to.equal(first.ssrc);
      expect(p.sequenceNumber).to.equal((first.sequenceNumber + i) & 0xffff);
      expect(p.timestamp).to.equal((first.timestamp + i * 160) >>> 0);
      expect(p.payload.equals(tone?.pcmu.subarray(i * 160, (i + 1) * 160) ?? Buffer.alloc(0))).to.equal(true);
      if (i > 0) expect(p.marker).to.equal(false);
    });
    const arrival = phone.received.map((r) => r.at);
    expect((arrival[49] ?? 0) - (arrival[0] ?? 0)).to.be.at.least(900);
    const stats = engine.pacingStats();
    expect(stats.packets).to.equal(50);
  });

  it('when the codec is PCMA, it sends the A-law payload and pads the last frame with A-law silence', async () => {
    await makeEngine({ comfortSilence: false });
    const phone = await peer();
    const session = await engine.createSession('call-pcma');
    session.setSignallingAddress('127.0.0.1'); // the INVITE came from the phone's own address
    session.answerOffer(offerTo(phone.port, '8 101'));
    session.confirmRemote(); // the ACK
    expect(session.codec).to.equal('PCMA');
    expect(await session.play(['beep'])).to.equal('completed'); // 400 samples → 3 frames
    await sleep(30);
    const payloads = phone.received.map((r) => r.packet);
    expect(payloads.map((p) => p.payloadType)).to.deep.equal([8, 8, 8]);
    const beep = engine.prompts.get('beep')?.pcma ?? Buffer.alloc(0);
    expect(payloads[2]?.payload.subarray(0, 80).equals(beep.subarray(320))).to.equal(true);
    expect([...(payloads[2]?.payload.subarray(80) ?? [])].every((b) => b === 0xd5)).to.equal(true);
  });

  it('when idle with a known remote, it sends μ-law silence every 20 ms', async () => {
    await makeEngine();
    const phone = await peer();
    const session = await engine.createSession('call-silence');
    session.setSignallingAddress('127.0.0.1'); // the INVITE came from the phone's own address
    session.answerOffer(offerTo(phone.port));
    session.confirmRemote(); // the ACK
    await sleep(210);
    expect(phone.received.length).to.be.within(8, 12);
    expect(phone.received.every((r) => r.packet.payload.every((b) => b === 0xff))).to.equal(true);
  });

  it('when RTP arrives from another port than the SDP said, it latches and sends there (symmetric RTP)', async () => {
    await makeEngine();
    const sdpPeer = await peer();
    const natPeer = await peer();
    const session = await engine.createSession('call-nat');
    session.setSignallingAddress('127.0.0.1'); // the INVITE came from the phone's own address
    session.answerOffer(offerTo(sdpPeer.port));
    session.confirmRemote(); // the ACK
    await sleep(60);
    expect(sdpPeer.received.length).to.be.greaterThan(0);
    natPeer.send(session.localPort, { payload: Buffer.alloc(160, 0xff) });
    await sleep(40);
    const before = sdpPeer.received.length;
    natPeer.received.length = 0;
    await sleep(100);
    expect(sdpPeer.received.length).to.equal(before);
    expect(natPeer.received.length).to.be.greaterThan(2);
    expect(session.remote).to.deep.equal({ address: '127.0.0.1', port: natPeer.port });
  });

  it('when RFC 4733 packets arrive, it emits the digit once; SIP INFO digits come on the same event', async () => {
    await makeEngine();
    const phone = await peer();
    const session = await engine.createSession('call-dtmf');
    session.setSignallingAddress('127.0.0.1'); // the INVITE came from the phone's own address
    session.answerOffer(offerTo(phone.port));
    session.confirmRemote(); // the ACK
    const digits: [string, string][] = [];
    session.events.on('dtmf', (d, source) => digits.push([d, source]));
    for (const [end, duration] of [[false, 160], [false, 800], [true, 1280], [true, 1280], [true, 1280]] as const) {
      const payload = Buffer.from([5, end ? 0x8a : 0x0a, duration >> 8, duration & 0xff]);
      phone.send(session.localPort, { payloadType: 101, timestamp: 8000, payload });
    }
    await sleep(50);
    session.injectDtmf('#', 'info');
    expect(digits).to.deep.equal([['5', 'rfc4733'], ['#', 'info']]);
  });

  it('when audio arrives, it hands the payload to onAudio with the codec', async () => {
    await makeEngine();
    const phone = await peer();
    const session = await engine.createSession('call-audio');
    session.setSignallingAddress('127.0.0.1'); // the INVITE came from the phone's own address
    session.answerOffer(offerTo(phone.port, '8'));
    session.confirmRemote(); // the ACK
    const heard: string[] = [];
    session.onAudio = (payload, codec) => heard.push(`${codec}:${payload.toString('hex')}`);
    phone.send(session.localPort, { payloadType: 8, payload: Buffer.from([1, 2, 3]) });
    phone.send(session.localPort, { payloadType: 0, payload: Buffer.from([9]) }); // not negotiated: ignored
    await sleep(40);
    expect(heard).to.deep.equal(['PCMA:010203']);
  });

  it('when the remote puts the call on hold (sendonly), it stops sending and does not time out', async () => {
    await makeEngine({ mediaTimeoutMs: 60 });
    const phone = await peer();
    const session = await engine.createSession('call-hold');
    session.setSignallingAddress('127.0.0.1'); // the INVITE came from the phone's own address
    const timeout = sinon.spy();
    session.events.on('timeout', timeout);
    session.answerOffer(offerTo(phone.port, '0 101', 'sendonly'));
    session.confirmRemote(); // the ACK
    expect(session.direction).to.equal('recvonly');
    expect(await session.play(['beep'])).to.equal('completed');
    await sleep(100);
    expect(phone.received).to.have.length(0);
    expect(timeout.called).to.equal(false);
  });

  it('when no RTP arrives for mediaTimeoutMs, it emits timeout once', async () => {
    await makeEngine({ mediaTimeoutMs: 80 });
    const phone = await peer();
    const session = await engine.createSession('call-timeout');
    session.setSignallingAddress('127.0.0.1'); // the INVITE came from the phone's own address
    const timeout = sinon.spy();
    session.events.on('timeout', timeout);
    session.answerOffer(offerTo(phone.port));
    session.confirmRemote(); // the ACK
    await sleep(40);
    expect(timeout.called).to.equal(false);
    await sleep(160);
    expect(timeout.callCount).to.equal(1);
  });

  it('when a new play starts, stopPlayback is called or the signal aborts, the earlier play resolves stopped', async () => {
    await makeEngine();
    const session = await engine.createSession('call-stop');
    session.setSignallingAddress('127.0.0.1'); // the INVITE came from the phone's own address
    const first = session.play(['tone-1s']);
    const second = session.play(['tone-1s']);
    expect(await first).to.equal('stopped');
    session.stopPlayback();
    expect(await second).to.equal('stopped');
    const controller = new AbortController();
    const third = session.play(['tone-1s'], controller.signal);
    controller.abort();
    expect(await third).to.equal('stopped');
  });

  it('when playing with loop, it keeps sending the prompt list without a gap past its end until aborted', async () => {
    await makeEngine({ comfortSilence: false });
    const phone = await peer();
    const session = await engine.createSession('call-hold-music');
    session.setSignallingAddress('127.0.0.1'); // the INVITE came from the phone's own address
    session.answerOffer(offerTo(phone.port));
    session.confirmRemote(); // the ACK
    const controller = new AbortController();
    let outcome: string | undefined;
    const playing = session.play(['beep'], controller.signal, { loop: true }).then((o) => (outcome = o));
    await sleep(250); // beep lasts 50 ms
    expect(outcome).to.equal(undefined);
    const sent = Buffer.concat(phone.received.map((r) => r.packet.payload));
    expect(phone.received.length).to.be.within(10, 14);
    const beep = engine.prompts.get('beep')?.pcmu ?? Buffer.alloc(0);
    const expected = Buffer.concat(Array.from({ length: Math.ceil(sent.length / beep.length) }, () => beep)).subarray(0, sent.length);
    expect(sent.equals(expected)).to.equal(true);
    controller.abort();
    await playing;
    expect(outcome).to.equal('stopped');
    const count = phone.received.length;
    await sleep(60);
    expect(phone.received.length).to.be.at.most(count + 1);
  });

  it('when a prompt is unknown, play rejects with PROMPT_NOT_FOUND naming it', async () => {
    await makeEngine();
    const session = await engine.createSession('call-unknown');
    session.setSignallingAddress('127.0.0.1'); // the INVITE came from the phone's own address
    expect(engine.hasPrompt('beep')).to.equal(true);
    expect(engine.hasPrompt('nope')).to.equal(false);
    try {
      await session.play(['beep', 'nope']);
      expect.fail('play resolved');
    } catch (err) {
      expect(err).to.be.instanceOf(MediaError);
      expect((err as MediaError).code).to.equal('PROMPT_NOT_FOUND');
      expect((err as MediaError).message).to.contain('nope');
    }
  });

  it('when every port of the range is taken, it rejects with RTP_PORTS_EXHAUSTED', async () => {
    await makeEngine({ portMin: basePort + 50, portMax: basePort + 53 });
    const a = await engine.createSession('a');
    a.setSignallingAddress('127.0.0.1'); // the INVITE came from the phone's own address
    const b = await engine.createSession('b');
    b.setSignallingAddress('127.0.0.1'); // the INVITE came from the phone's own address
    expect([a.localPort, b.localPort].sort()).to.deep.equal([basePort + 50, basePort + 52]);
    try {
      await engine.createSession('c');
      expect.fail('createSession resolved');
    } catch (err) {
      expect((err as MediaError).code).to.equal('RTP_PORTS_EXHAUSTED');
    }
    a.close();
    const c = await engine.createSession('c');
    c.setSignallingAddress('127.0.0.1'); // the INVITE came from the phone's own address
    expect(c.localPort).to.equal(a.localPort);
  });

  it('when a port of the range is bound by someone else, it skips it', async () => {
    const squatter = createSocket('udp4');
    squatter.bind(basePort + 60, '127.0.0.1');
    await once(squatter, 'listening');
    try {
      await makeEngine({ portMin: basePort + 60, portMax: basePort + 62 });
      const s = await engine.createSession('skip');
      s.setSignallingAddress('127.0.0.1'); // the INVITE came from the phone's own address
      expect(s.localPort).to.equal(basePort + 62);
    } finally {
      squatter.close();
    }
  });

  it('when a session or the engine is closed twice, it is safe; plays resolve stopped and the port is freed', async () => {
    await makeEngine();
    const session = await engine.createSession('call-close');
    session.setSignallingAddress('127.0.0.1'); // the INVITE came from the phone's own address
    expect(engine.activeSessions).to.equal(1);
    const playing = session.play(['tone-1s']);
    session.close();
    session.close();
    expect(await playing).to.equal('stopped');
    expect(engine.activeSessions).to.equal(0);
    expect(() => session.createOffer()).to.throw(MediaError);
    const other = await engine.createSession('call-2');
    other.setSignallingAddress('127.0.0.1'); // the INVITE came from the phone's own address
    await engine.close();
    await engine.close();
    expect(engine.activeSessions).to.equal(0);
    expect(await other.play(['beep'])).to.equal('stopped');
    try {
      await engine.createSession('late');
      expect.fail('createSession resolved');
    } catch (err) {
      expect((err as MediaError).code).to.equal('MEDIA_CLOSED');
    }
  });
});
