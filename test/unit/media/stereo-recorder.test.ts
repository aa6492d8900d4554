import { expect } from 'chai';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import sinon from 'sinon';
import { silentLogger } from '../../../src/logging/logger.js';
import { encodeAlaw, encodeUlaw } from '../../../src/media/g711.js';
import { MediaClock } from '../../../src/media/media-clock.js';
import { RtpMediaEngine } from '../../../src/media/rtp-media-engine.js';
import { StereoRecorder } from '../../../src/media/stereo-recorder.js';
import { rms, stereoChannels, tone, voiced, zeroCrossingHz } from './tone.js';
import { UdpPeer, offerCodec, sleep, sleepUntil } from './udp-peer.js';

const promptsDir = fileURLToPath(new URL('../../fixtures/media/prompts', import.meta.url));
const basePort = 20000 + 2 * Math.floor(Math.random() * 15000);

interface StereoWav {
  left: Int16Array;
  right: Int16Array;
  header: { riffSize: number; dataSize: number; channels: number; rate: number; byteRate: number; blockAlign: number; bits: number };
  fileSize: number;
}

function readStereo(buf: Buffer): StereoWav {
  expect(buf.toString('ascii', 0, 4)).to.equal('RIFF');
  expect(buf.toString('ascii', 8, 16)).to.equal('WAVEfmt ');
  expect(buf.toString('ascii', 36, 40)).to.equal('data');
  expect(buf.readUInt16LE(20)).to.equal(1);
  const { left, right } = stereoChannels(buf);
  return {
    left,
    right,
    fileSize: buf.length,
    header: {
      riffSize: buf.readUInt32LE(4),
      dataSize: buf.readUInt32LE(40),
      channels: buf.readUInt16LE(22),
      rate: buf.readUInt32LE(24),
      byteRate: buf.readUInt32LE(28),
      blockAlign: buf.readUInt16LE(32),
      bits: buf.readUInt16LE(34),
    },
  };
}

describe('StereoRecorder (bridge recording)', () => {
  let engine: RtpMediaEngine;
  let dir: string;
  const peers: UdpPeer[] = [];

  async function peer(): Promise<UdpPeer> {
    const p = await UdpPeer.open();
    peers.push(p);
    return p;
  }

  async function twoLegs() {
    const phoneA = await peer();
    const phoneB = await peer();
    const a = await engine.createSession('caller');
    a.setSignallingAddress('127.0.0.1'); // the INVITE came from the phone's own address
    a.answerOffer(offerCodec(phoneA.port, 0, 101));
    a.confirmRemote(); // the ACK
    const b = await engine.createSession('agent');
    b.setSignallingAddress('127.0.0.1'); // the INVITE came from the phone's own address
    b.answerOffer(offerCodec(phoneB.port, 8, 101));
    b.confirmRemote(); // the ACK
    return { phoneA, phoneB, a, b };
  }

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bridge-rec-'));
    engine = await RtpMediaEngine.create({
      bindAddress: '127.0.0.1',
      publicAddress: '127.0.0.1',
      portMin: basePort,
      portMax: basePort + 40,
      promptsDir,
      logger: silentLogger(),
    });
  });

  afterEach(async () => {
    sinon.restore();
    await engine.close();
    for (const p of peers.splice(0)) p.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('when both parties talk for 1 s, it writes a valid stereo WAV of ~1 s: caller left, agent right', async () => {
    const { phoneA, phoneB, a, b } = await twoLegs();
    const path = join(dir, 'nested', 'deeper', 'call.wav');
    const bridge = engine.bridge(a, b, { recordingPath: path });
    expect(bridge.recordingPath).to.equal(path);
    const closed = sinon.spy();
    bridge.events.on('closed', closed);
    const caller = encodeUlaw(tone(440, 8000, 8000));
    const agent = encodeAlaw(tone(1000, 8000, 6000));
    const started = performance.now();
    for (let i = 0; i < 50; i++) {
      const ts = i * 160;
      phoneA.send(a.localPort, { payloadType: 0, sequenceNumber: i, timestamp: ts, payload: caller.subarray(ts, ts + 160) });
      phoneB.send(b.localPort, { payloadType: 8, sequenceNumber: i, timestamp: ts, payload: agent.subarray(ts, ts + 160) });
      await sleepUntil(started + (i + 1) * 20);
    }
    await sleep(20);
    const elapsedS = (performance.now() - started) / 1000;
    const closing = bridge.close();
    expect(bridge.close()).to.equal(closing);
    await closing;
    expect(closed.callCount).to.equal(1);
    const wav = readStereo(await readFile(path));
    expect(wav.header).to.deep.equal({
      riffSize: wav.fileSize - 8,
      dataSize: wav.fileSize - 44,
      channels: 2,
      rate: 8000,
      byteRate: 32000,
      blockAlign: 4,
      bits: 16,
    });
    // As long as the talk took on the wall clock (~1 s; longer on a loaded machine), in whole 20 ms frames.
    expect(wav.left.length / 8000).to.be.within(Math.max(0.95, elapsedS - 0.1), elapsedS + 0.2);
    expect(wav.left.length % 160).to.equal(0);
    const left = voiced(wav.left);
    const right = voiced(wav.right);
    expect(left.length).to.be.at.least(40 * 160); // (nearly) every packet of each side is there
    expect(right.length).to.be.at.least(40 * 160);
    expect(rms(left)).to.be.within(5000, 6300); // 8000 / √2
    expect(rms(right)).to.be.within(3800, 4700); // 6000 / √2
    expect(zeroCrossingHz(left)).to.be.within(420, 460);
    expect(zeroCrossingHz(right)).to.be.within(960, 1040);
    await bridge.close();
    expect(closed.callCount).to.equal(1);
  });

  it('when one side starts talking later, its channel stays silent until then (both on one time grid)', async () => {
    const { phoneA, phoneB, a, b } = await twoLegs();
    const path = join(dir, 'late.wav');
    const bridge = engine.bridge(a, b, { recordingPath: path });
    const started = performance.now();
    let callerFrom = 0;
    const caller = encodeUlaw(tone(440, 8000));
    const agent = encodeAlaw(tone(1000, 8000));
    for (let i = 0; i < 40; i++) {
      const ts = i * 160;
      phoneB.send(b.localPort, { payloadType: 8, timestamp: ts, payload: agent.subarray(ts, ts + 160) });
      // The caller is quiet (no packets: DTX or loss) for the first 400 ms.
      if (i === 20) callerFrom = performance.now() - started;
      if (i >= 20) phoneA.send(a.localPort, { payloadType: 0, timestamp: ts, payload: caller.subarray(ts, ts + 160) });
      await sleepUntil(started + (i + 1) * 20);
    }
    await bridge.close();
    const wav = readStereo(await readFile(path));
    // The caller's audio starts on the 20 ms slot of its first packet's arrival, not before.
    const callerSlot = Math.floor(callerFrom / 20);
    expect(callerSlot).to.be.at.least(20);
    const firstSound = wav.left.findIndex((s) => Math.abs(s) > 100);
    expect(firstSound).to.be.within(callerSlot * 160, (callerSlot + 4) * 160);
    expect(rms(wav.left.subarray(0, callerSlot * 160))).to.be.below(50);
    expect(voiced(wav.left).length).to.be.at.least(15 * 160);
    expect(voiced(wav.right).length).to.be.at.least(32 * 160);
  });

  it('when the session closes, the recording is completed and closed fires once', async () => {
    const { phoneA, a, b } = await twoLegs();
    const path = join(dir, 'hangup.wav');
    const bridge = engine.bridge(a, b, { recordingPath: path });
    const closed = new Promise<void>((resolve) => bridge.events.once('closed', resolve));
    phoneA.send(a.localPort, { payloadType: 0, payload: encodeUlaw(tone(440, 160)) });
    await sleep(100);
    a.close();
    await closed;
    const wav = readStereo(await readFile(path));
    expect(wav.header.dataSize).to.equal(wav.fileSize - 44);
    expect(wav.left.length).to.be.above(0);
  });

  /**
   * Records `name` on a stubbed clock starting at 1000 ms: `drive` pushes packets and moves the clock
   * (`at(ms)` sets performance.now(), `tick()` runs the recorder's flush). Resolves with the slots (20 ms)
   * of each channel that have sound.
   */
  async function recordOnStubbedClock(name: string, drive: (recorder: StereoRecorder, at: (ms: number) => void) => void): Promise<{ left: number[]; right: number[] }> {
    const now = sinon.stub(performance, 'now').returns(1000);
    const path = join(dir, name);
    const clock = new MediaClock(silentLogger());
    try {
      const recorder = new StereoRecorder(path, clock, silentLogger());
      drive(recorder, (ms) => now.returns(ms));
      await recorder.close();
    } finally {
      now.restore();
      clock.close();
    }
    const wav = readStereo(await readFile(path));
    const soundSlots = (ch: Int16Array): number[] =>
      Array.from({ length: Math.floor(ch.length / 160) }, (_, k) => k).filter((k) => rms(ch.subarray(k * 160, (k + 1) * 160)) > 1000);
    return { left: soundSlots(wav.left), right: soundSlots(wav.right) };
  }

  it('when a side speaks again after silence, or for the first time, its audio starts on its arrival slot even when the grid is written up to 3 slots before it', async () => {
    const slots = await recordOnStubbedClock('restart.wav', (recorder, at) => {
      const caller = encodeUlaw(tone(440, 5 * 160));
      for (let i = 0; i < 5; i++) recorder.push(0, caller.subarray(i * 160, (i + 1) * 160), 'PCMU', 1000 + i * 20, { ssrc: 7, timestamp: i * 160 });
      // Slot 21: the tick has written the grid up to slot 18 (3 slots of delay for late packets).
      at(1000 + 21 * 20 + 5);
      recorder.onTick();
      // The caller's RTP clock ran on through the silence (DTX): its timestamp jumped.
      recorder.push(0, encodeUlaw(tone(440, 160)), 'PCMU', 1000 + 21 * 20 + 5, { ssrc: 7, timestamp: 21 * 160 });
      recorder.push(1, encodeAlaw(tone(1000, 160)), 'PCMA', 1000 + 21 * 20 + 5, { ssrc: 9, timestamp: 0 });
    });
    expect(slots.left).to.deep.equal([0, 1, 2, 3, 4, 21]);
    expect(slots.right).to.deep.equal([21]);
  });

  it('when a side’s packets come late in a burst (a network stall), they continue its audio by their RTP timestamps instead of leaving a hole', async () => {
    const slots = await recordOnStubbedClock('burst.wav', (recorder, at) => {
      const caller = encodeUlaw(tone(440, 14 * 160));
      const frame = (i: number): Uint8Array => caller.subarray(i * 160, (i + 1) * 160);
      for (let i = 0; i < 10; i++) {
        at(1000 + i * 20 + 5);
        recorder.onTick();
        recorder.push(0, frame(i), 'PCMU', 1000 + i * 20 + 5, { ssrc: 7, timestamp: i * 160 });
      }
      // Slots 10-13 held up in the network, all four arrive at slot 14 (the grid is written up to 11).
      at(1000 + 14 * 20 + 5);
      recorder.onTick();
      for (let i = 10; i < 14; i++) recorder.push(0, frame(i), 'PCMU', 1000 + 14 * 20 + 5, { ssrc: 7, timestamp: i * 160 });
    });
    // Slot 10 was written (silent) before the burst came; the rest follows on at once: no 4-slot hole.
    expect(slots.left).to.deep.equal([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 14]);
  });
});
