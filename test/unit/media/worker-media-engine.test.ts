import { expect } from 'chai';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sinon from 'sinon';
import { createLogger, silentLogger, type Logger } from '../../../src/logging/logger.js';
import { encodeAlaw, encodeUlaw } from '../../../src/media/g711.js';
import { MediaError } from '../../../src/media/media-error.js';
import type { RtpSession } from '../../../src/media/media-types.js';
import { promptFromWav } from '../../../src/media/prompt-library.js';
import { WorkerMediaEngine, type WorkerMediaEngineOptions } from '../../../src/media/worker/worker-media-engine.js';
import type { WorkerRtpSession } from '../../../src/media/worker/worker-rtp-session.js';
import { rms, stereoChannels, tone, voiced, zeroCrossingHz } from './tone.js';
import { UdpPeer, offerCodec, offerTo, sleep, sleepUntil, until } from './udp-peer.js';

const promptsDir = fileURLToPath(new URL('../../fixtures/media/prompts', import.meta.url));
const basePort = 20000 + 2 * Math.floor(Math.random() * 15000);


function readStereo(buf: Buffer): { left: Int16Array; right: Int16Array; dataSize: number; fileSize: number; channels: number } {
  expect(buf.toString('ascii', 0, 4)).to.equal('RIFF');
  const { left, right } = stereoChannels(buf);
  return { left, right, dataSize: buf.readUInt32LE(40), fileSize: buf.length, channels: buf.readUInt16LE(22) };
}

describe('WorkerMediaEngine (RTP in worker threads)', function () {
  // Starting a worker under tsx compiles its modules: seconds on a loaded machine.
  this.timeout(30_000);
  let engine: WorkerMediaEngine | undefined;
  let dir: string;
  const peers: UdpPeer[] = [];

  async function makeEngine(extra: Partial<WorkerMediaEngineOptions> = {}): Promise<WorkerMediaEngine> {
    engine = await WorkerMediaEngine.create({
      bindAddress: '127.0.0.1',
      publicAddress: '127.0.0.1',
      portMin: basePort,
      portMax: basePort + 40,
      promptsDir,
      logger: silentLogger(),
      workers: 1,
      ...extra,
    });
    return engine;
  }

  async function peer(): Promise<UdpPeer> {
    const p = await UdpPeer.open();
    peers.push(p);
    return p;
  }

  /** A leg answered and ACKed, its phone on PCMU (0) or PCMA (8) with telephone-event 101. */
  async function leg(e: WorkerMediaEngine, callId: string, codecPt: 0 | 8 = 0): Promise<{ phone: UdpPeer; session: WorkerRtpSession }> {
    const phone = await peer();
    const session = await e.createSession(callId);
    session.setSignallingAddress('127.0.0.1');
    session.answerOffer(offerCodec(phone.port, codecPt, 101));
    session.confirmRemote();
    return { phone, session };
  }

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'media-workers-'));
  });

  afterEach(async () => {
    sinon.restore();
    await engine?.close();
    engine = undefined;
    for (const p of peers.splice(0)) p.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('when playing a 1 s prompt, the phone receives 50 packets of it with consecutive seq and timestamps; the main thread sees the pacing', async () => {
    const e = await makeEngine({ comfortSilence: false });
    const phone = await peer();
    const session = await e.createSession('call-1');
    session.setSignallingAddress('127.0.0.1');
    expect(session.answerOffer(offerTo(phone.port))).to.contain(`m=audio ${session.localPort} RTP/AVP 0 101`);
    expect(session.codec).to.equal('PCMU');
    session.confirmRemote();
    e.resetPacingStats();
    expect(await session.play(['tone-1s'])).to.equal('completed');
    await until(() => phone.received.length >= 50, '50 packets');
    await sleep(50);
    const packets = phone.received.map((r) => r.packet);
    expect(packets).to.have.length(50);
    const tone1s = e.prompts.get('tone-1s')?.pcmu ?? Buffer.alloc(0);
    packets.forEach((p, i) => {
      const first = packets[0];
      if (first === undefined) throw new Error('no packet');
      expect(p.sequenceNumber).to.equal((first.sequenceNumber + i) & 0xffff);
      expect(p.timestamp).to.equal((first.timestamp + i * 160) >>> 0);
      expect(p.payload.equals(tone1s.subarray(i * 160, (i + 1) * 160))).to.equal(true);
    });
    expect(e.pacingStats().packets).to.equal(50);
    expect(e.activeSessions).to.equal(1);
  });

  it('when an offer has no common codec, answerOffer throws SDP_NO_COMMON_CODEC at once, on the main thread', async () => {
    const e = await makeEngine();
    const session = await e.createSession('call-488');
    expect(() => session.answerOffer(offerTo(4000, '18'))).to.throw(MediaError).with.property('code', 'SDP_NO_COMMON_CODEC');
    expect(() => { session.acceptAnswer('garbage'); }).to.throw(MediaError).with.property('code', 'SDP_INVALID');
    expect(session.codec).to.equal(undefined);
    expect(session.createOffer()).to.contain('a=rtpmap:101 telephone-event/8000');
  });

  it('when RFC 4733 packets arrive, the digit is emitted once on the main thread; SIP INFO digits come on the same event', async () => {
    const e = await makeEngine();
    const { phone, session } = await leg(e, 'call-dtmf');
    const digits: [string, string][] = [];
    session.events.on('dtmf', (d, source) => {
      digits.push([d, source]);
    });
    for (const [end, duration] of [[false, 160], [false, 800], [true, 1280], [true, 1280], [true, 1280]] as const) {
      phone.send(session.localPort, { payloadType: 101, timestamp: 8000, payload: Buffer.from([5, end ? 0x8a : 0x0a, duration >> 8, duration & 0xff]) });
    }
    await until(() => digits.length === 1, 'the digit');
    await sleep(50);
    session.injectDtmf('#', 'info');
    expect(digits).to.deep.equal([['5', 'rfc4733'], ['#', 'info']]);
  });

  it('when a prompt is added at run time (speech), a play naming it right after plays its audio', async () => {
    const e = await makeEngine({ comfortSilence: false });
    const { phone, session } = await leg(e, 'call-tts');
    const samples = tone(700, 800);
    const data = Buffer.alloc(samples.length * 2);
    samples.forEach((s, i) => data.writeInt16LE(s, i * 2));
    const prompt = promptFromWav('tts:hello', { encoding: 'pcm16', sampleRate: 8000, channels: 1, data });
    e.prompts.add(prompt);
    expect(e.hasPrompt('tts:hello')).to.equal(true);
    expect(await session.play(['tts:hello'])).to.equal('completed');
    await until(() => phone.received.length >= 5, '5 packets');
    expect(Buffer.concat(phone.received.map((r) => r.packet.payload)).equals(prompt.pcmu)).to.equal(true);
    expect(e.prompts.remove('tts:hello')).to.equal(true);
    try {
      await session.play(['tts:hello']);
      expect.fail('play resolved');
    } catch (err) {
      expect((err as MediaError).code).to.equal('PROMPT_NOT_FOUND');
    }
  });

  it('when a play is replaced, stopped or aborted, it resolves stopped; closing twice is safe', async () => {
    const e = await makeEngine();
    const session = await e.createSession('call-stop');
    const first = session.play(['tone-1s']);
    const second = session.play(['tone-1s']);
    expect(await first).to.equal('stopped');
    session.stopPlayback();
    expect(await second).to.equal('stopped');
    const controller = new AbortController();
    const third = session.play(['tone-1s'], controller.signal);
    controller.abort();
    expect(await third).to.equal('stopped');
    const fourth = session.play(['tone-1s']);
    session.close();
    session.close();
    expect(await fourth).to.equal('stopped');
    expect(e.activeSessions).to.equal(0);
    expect(() => session.createOffer()).to.throw(MediaError).with.property('code', 'MEDIA_CLOSED');
  });

  it('when every port of every worker is taken, createSession rejects with RTP_PORTS_EXHAUSTED; a closed leg frees its port', async () => {
    const e = await makeEngine({ workers: 2, portMin: basePort + 50, portMax: basePort + 53 });
    expect(e.workerCount).to.equal(2);
    const a = await e.createSession('a');
    const b = await e.createSession('b');
    expect([a.localPort, b.localPort].sort()).to.deep.equal([basePort + 50, basePort + 52]);
    try {
      await e.createSession('c');
      expect.fail('createSession resolved');
    } catch (err) {
      expect(err).to.be.instanceOf(MediaError);
      expect((err as MediaError).code).to.equal('RTP_PORTS_EXHAUSTED');
    }
    a.close();
    const c = await e.createSession('c');
    expect(c.localPort).to.equal(a.localPort);
  });

  it('when one worker’s ports are squatted by another process, new legs go to the other worker', async () => {
    const squatter = createSocket('udp4');
    squatter.bind(basePort + 60, '127.0.0.1');
    await once(squatter, 'listening');
    try {
      const e = await makeEngine({ workers: 2, portMin: basePort + 60, portMax: basePort + 63 });
      const s = await e.createSession('skip');
      expect(s.localPort).to.equal(basePort + 62);
    } finally {
      squatter.close();
    }
  });

  for (const workers of [1, 2]) {
    const where = workers === 1 ? 'in one worker' : 'across two workers';
    it(`when two legs are bridged ${where}, audio is relayed (PCMU↔PCMA) and the stereo recording holds both parties`, async () => {
      const logger: Logger = createLogger('info', { silent: true });
      const logged = sinon.spy(logger, 'log');
      const e = await makeEngine({ workers, logger });
      const caller = await leg(e, 'caller', 0);
      const agent = await leg(e, 'agent', 8);
      const path = join(dir, 'nested', `bridge-${workers}.wav`);
      const bridge = e.bridge(caller.session, agent.session, { recordingPath: path });
      expect(bridge.recordingPath).to.equal(path);
      // The workers' log records reach the main logger.
      await until(() => logged.calledWithMatch('info', workers === 1 ? 'bridge started' : 'bridge half started'), 'the worker log line');
      const playing = caller.session.play(['tone-1s']);
      expect(await playing).to.equal('stopped'); // the bridge owns the stream
      const closed = sinon.spy();
      bridge.events.on('closed', closed);
      const callerAudio = encodeUlaw(tone(440, 8000, 8000));
      const agentAudio = encodeAlaw(tone(1000, 8000, 6000));
      await sleep(60);
      agent.phone.received.length = 0;
      caller.phone.received.length = 0;
      const started = performance.now();
      for (let i = 0; i < 50; i++) {
        const ts = i * 160;
        caller.phone.send(caller.session.localPort, { payloadType: 0, sequenceNumber: i, timestamp: ts, ssrc: 7, payload: callerAudio.subarray(ts, ts + 160) });
        agent.phone.send(agent.session.localPort, { payloadType: 8, sequenceNumber: i, timestamp: ts, ssrc: 9, payload: agentAudio.subarray(ts, ts + 160) });
        await sleepUntil(started + (i + 1) * 20);
      }
      await sleep(60);
      // The agent's phone hears the caller's tone as PCMA, the caller's phone the agent's as PCMU.
      const toAgent = agent.phone.received.map((r) => r.packet).filter((p) => p.payloadType === 8 && !p.payload.every((x) => x === 0xd5));
      const toCaller = caller.phone.received.map((r) => r.packet).filter((p) => p.payloadType === 0 && !p.payload.every((x) => x === 0xff));
      expect(toAgent.length).to.be.at.least(45);
      expect(toCaller.length).to.be.at.least(45);
      await bridge.close();
      expect(closed.callCount).to.equal(1);
      const wav = readStereo(await readFile(path));
      expect(wav.channels).to.equal(2);
      expect(wav.dataSize).to.equal(wav.fileSize - 44);
      const left = voiced(wav.left);
      const right = voiced(wav.right);
      expect(left.length).to.be.at.least(40 * 160);
      expect(right.length).to.be.at.least(40 * 160);
      expect(zeroCrossingHz(left)).to.be.within(420, 460);
      expect(zeroCrossingHz(right)).to.be.within(960, 1040);
      expect(rms(right)).to.be.within(3800, 4700);
      // After the bridge both go back to their own playback.
      expect(await caller.session.play(['beep'])).to.equal('completed');
    });
  }

  it('when bridging a session to itself, one already bridged, or a closed one, it throws BRIDGE_INVALID', async () => {
    const e = await makeEngine({ workers: 2 });
    const a = await leg(e, 'a');
    const b = await leg(e, 'b');
    const c = await leg(e, 'c');
    expect(() => e.bridge(a.session, a.session)).to.throw(MediaError).with.property('code', 'BRIDGE_INVALID');
    const bridge = e.bridge(a.session, b.session);
    expect(() => e.bridge(c.session, b.session)).to.throw(MediaError).with.property('code', 'BRIDGE_INVALID');
    // One leg hangs up: the bridge closes by itself, the other leg is free again.
    const closed = new Promise<void>((resolve) => bridge.events.once('closed', resolve));
    a.session.close();
    await closed;
    expect(() => e.bridge(a.session, c.session)).to.throw(MediaError).with.property('code', 'BRIDGE_INVALID');
    await e.bridge(c.session, b.session).close();
  });

  it('when the engine closes during a recorded bridge, close() resolves with the recording complete', async () => {
    const e = await makeEngine({ workers: 2 });
    const caller = await leg(e, 'caller');
    const agent = await leg(e, 'agent');
    const path = join(dir, 'closing.wav');
    e.bridge(caller.session, agent.session, { recordingPath: path });
    for (let i = 0; i < 10; i++) {
      caller.phone.send(caller.session.localPort, { payloadType: 0, sequenceNumber: i, timestamp: i * 160, payload: encodeUlaw(tone(440, 160)) });
      await sleep(20);
    }
    const playing = agent.session.play(['beep']);
    await e.close();
    await e.close();
    expect(await playing).to.equal('stopped');
    expect(e.activeSessions).to.equal(0);
    const wav = readStereo(await readFile(path));
    expect(wav.dataSize).to.equal(wav.fileSize - 44);
    expect(voiced(wav.left).length).to.be.at.least(5 * 160);
    try {
      await e.createSession('late');
      expect.fail('createSession resolved');
    } catch (err) {
      expect((err as MediaError).code).to.equal('MEDIA_CLOSED');
    }
  });

  it('when a worker crashes, its calls time out and their plays stop, the other worker carries on, and a new worker takes calls', async () => {
    const logger: Logger = createLogger('info', { silent: true });
    const logged = sinon.spy(logger, 'log');
    const e = await makeEngine({ workers: 2, logger });
    const doomed = await leg(e, 'doomed');
    const survivor = await leg(e, 'survivor');
    const timeouts: string[] = [];
    doomed.session.events.on('timeout', () => timeouts.push('doomed'));
    survivor.session.events.on('timeout', () => timeouts.push('survivor'));
    const playing = doomed.session.play(['tone-1s']);
    const doomedIndex = doomed.session.localPort < survivor.session.localPort ? 0 : 1;
    e.crashWorker(doomedIndex);
    expect(await playing).to.equal('stopped');
    expect(timeouts).to.deep.equal(['doomed']);
    expect(e.activeSessions).to.equal(1);
    expect(logged.calledWithMatch('error', 'media worker failed: its calls end, it is started again')).to.equal(true);
    // The survivor's worker still sends (comfort silence).
    const before = survivor.phone.received.length;
    await until(() => survivor.phone.received.length > before + 3, 'packets from the surviving worker');
    // A leg answered only now (it was ringing at the crash) hears the loss again once confirmed.
    doomed.session.confirmRemote();
    await until(() => timeouts.length === 2, 'the repeated timeout');
    doomed.session.close(); // the signalling hangs up: safe on a lost session
    // A replacement worker takes new calls on the lost one's share of the ports.
    expect(e.runningWorkers).to.equal(1);
    await until(() => e.runningWorkers === 2, 'the replacement worker');
    const calls: RtpSession[] = [];
    for (let i = 0; i < 4; i++) calls.push(await e.createSession(`new-${i}`));
    const shares = new Set(calls.map((s) => (s.localPort - basePort < 22 ? 0 : 1)));
    expect(shares.size).to.equal(2); // least-loaded placement uses both workers again
  });

  it('when RTP comes from a foreign source after the latch, the main thread counts it', async () => {
    const e = await makeEngine();
    const { phone, session } = await leg(e, 'call-latch');
    const intruder = await UdpPeer.open('127.0.0.2');
    peers.push(intruder);
    phone.send(session.localPort, { payload: Buffer.alloc(160, 0xff) });
    await sleep(50);
    intruder.send(session.localPort, { payload: Buffer.alloc(160, 0xff), ssrc: 99 });
    await until(() => e.foreignPacketsDropped === 1, 'the foreign packet counted');
  });
});
