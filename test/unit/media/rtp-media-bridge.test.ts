import { expect } from 'chai';
import { fileURLToPath } from 'node:url';
import sinon from 'sinon';
import { silentLogger } from '../../../src/logging/logger.js';
import { ALAW_TO_ULAW, decodeAlaw, encodeAlaw, encodeUlaw, mapBytes } from '../../../src/media/g711.js';
import { MediaError } from '../../../src/media/media-error.js';
import { RtpMediaEngine } from '../../../src/media/rtp-media-engine.js';
import type { RtpPacket } from '../../../src/media/rtp-packet.js';
import { tsDiff } from '../../../src/media/timestamp-mapper.js';
import { rms, tone } from './tone.js';
import { UdpPeer, offerCodec, sleep, sleepUntil } from './udp-peer.js';

const promptsDir = fileURLToPath(new URL('../../fixtures/media/prompts', import.meta.url));
const basePort = 20000 + 2 * Math.floor(Math.random() * 15000);

const isSilence = (p: RtpPacket): boolean => p.payload.every((x) => x === 0xd5 || x === 0xff);

describe('RtpMediaEngine.bridge', () => {
  let engine: RtpMediaEngine;
  const peers: UdpPeer[] = [];

  async function peer(): Promise<UdpPeer> {
    const p = await UdpPeer.open();
    peers.push(p);
    return p;
  }

  /** A caller on PCMU (telephone-event 101) and an agent on PCMA (telephone-event 96 unless told otherwise). */
  async function twoLegs(agentEventPt: number | 'none' = 96) {
    const phoneA = await peer();
    const phoneB = await peer();
    const a = await engine.createSession('caller');
    a.setSignallingAddress('127.0.0.1'); // the INVITE came from the phone's own address
    a.answerOffer(offerCodec(phoneA.port, 0, 101));
    a.confirmRemote(); // the ACK
    const b = await engine.createSession('agent');
    b.setSignallingAddress('127.0.0.1'); // the INVITE came from the phone's own address
    b.answerOffer(offerCodec(phoneB.port, 8, agentEventPt === 'none' ? undefined : agentEventPt));
    b.confirmRemote(); // the ACK
    return { phoneA, phoneB, a, b };
  }

  beforeEach(async () => {
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
  });

  it('when a PCMU tone arrives on A, B’s phone gets it as PCMA with B’s SSRC, continuous seq/timestamps, then silence again', async () => {
    const { phoneA, phoneB, a, b } = await twoLegs();
    await sleep(70);
    const ssrcB = phoneB.received[0]?.packet.ssrc;
    expect(ssrcB).to.be.a('number');
    const bridge = engine.bridge(a, b);
    const samples = tone(1000, 160 * 10);
    const pcmu = encodeUlaw(samples);
    const started = performance.now();
    for (let i = 0; i < 10; i++) {
      phoneA.send(a.localPort, { payloadType: 0, sequenceNumber: 100 + i, timestamp: 5000 + i * 160, ssrc: 7, marker: i === 0, payload: pcmu.subarray(i * 160, (i + 1) * 160) });
      await sleepUntil(started + (i + 1) * 20);
    }
    await sleep(40);
    const during = phoneB.received.map((r) => r.packet);
    const firstRelayed = during.findIndex((p) => !isSilence(p));
    const relayed = during.slice(firstRelayed);
    expect(firstRelayed).to.be.greaterThan(0);
    expect(relayed).to.have.length(10); // no silence interleaved while bridged
    expect(relayed.every((p) => p.payloadType === 8 && p.ssrc === ssrcB)).to.equal(true);
    expect(relayed[0]?.marker).to.equal(true);
    relayed.forEach((p, i) => expect(tsDiff(p.timestamp, relayed[0]?.timestamp ?? 0)).to.equal(i * 160));
    const decoded = decodeAlaw(Buffer.concat(relayed.map((p) => p.payload)));
    decoded.forEach((s, i) => expect(Math.abs(s - (samples[i] ?? 0))).to.be.at.most(Math.max(64, Math.abs(samples[i] ?? 0) * 0.07)));
    expect(rms(decoded) / rms(samples)).to.be.within(0.97, 1.03);

    // The other way: PCMA from B's phone reaches A's phone as PCMU.
    const alaw = encodeAlaw(tone(600, 160));
    phoneB.send(b.localPort, { payloadType: 8, payload: alaw });
    // Waits for the relayed packet (bounded) instead of a fixed 30 ms: a loaded machine may take longer.
    const relayedToA = (): RtpPacket[] => phoneA.received.map((r) => r.packet).filter((p) => !isSilence(p));
    for (let waited = 0; relayedToA().length === 0 && waited < 2000; waited += 10) await sleep(10);
    await sleep(30);
    const toA = relayedToA();
    expect(toA).to.have.length(1);
    expect(toA[0]?.payloadType).to.equal(0);
    expect(toA[0]?.payload.equals(mapBytes(alaw, ALAW_TO_ULAW))).to.equal(true);

    await bridge.close();
    const count = phoneB.received.length;
    await sleep(150);
    const all = phoneB.received.map((r) => r.packet);
    const after = all.slice(count);
    expect(after.length).to.be.greaterThan(2);
    expect(after.every((p) => isSilence(p) && p.ssrc === ssrcB)).to.equal(true);
    all.forEach((p, i) => {
      const prev = all[i - 1];
      if (prev === undefined) return;
      expect(p.sequenceNumber).to.equal((prev.sequenceNumber + 1) & 0xffff);
      expect(tsDiff(p.timestamp, prev.timestamp)).to.be.within(1, 8000);
    });
  });

  it('when an RFC 4733 event arrives on A, B’s phone gets it with B’s telephone-event type and A still emits the digit', async () => {
    const { phoneA, phoneB, a, b } = await twoLegs(96);
    const digits: string[] = [];
    a.events.on('dtmf', (d) => digits.push(d));
    engine.bridge(a, b);
    const sent: Buffer[] = [];
    for (const [end, duration] of [[false, 160], [false, 800], [true, 1280], [true, 1280], [true, 1280]] as const) {
      const payload = Buffer.from([5, end ? 0x8a : 0x0a, duration >> 8, duration & 0xff]);
      sent.push(payload);
      phoneA.send(a.localPort, { payloadType: 101, timestamp: 8000, ssrc: 7, marker: duration === 160, payload });
      await sleep(5);
    }
    await sleep(30);
    const events = phoneB.received.map((r) => r.packet).filter((p) => p.payloadType === 96);
    expect(events).to.have.length(5);
    expect(events.map((p) => p.payload.toString('hex'))).to.deep.equal(sent.map((p) => p.toString('hex')));
    expect(new Set(events.map((p) => p.timestamp)).size).to.equal(1); // one event, one timestamp (RFC 4733 §2.5.1.1)
    expect(events[0]?.marker).to.equal(true);
    expect(digits).to.deep.equal(['5']);
  });

  it('when the other side negotiated no telephone-event, events are dropped but the digit is still seen', async () => {
    const { phoneA, phoneB, a, b } = await twoLegs('none');
    const digits: string[] = [];
    a.events.on('dtmf', (d) => digits.push(d));
    engine.bridge(a, b);
    await sleep(30);
    const before = phoneB.received.length;
    phoneA.send(a.localPort, { payloadType: 101, timestamp: 8000, payload: Buffer.from([9, 0x8a, 0x05, 0x00]) });
    await sleep(40);
    expect(phoneB.received.length).to.equal(before);
    expect(digits).to.deep.equal(['9']);
  });

  it('when bridged, a playing prompt stops, new plays resolve stopped, and silence resumes on close', async () => {
    const { phoneA, a, b } = await twoLegs();
    const playing = a.play(['tone-1s']);
    await sleep(100);
    const bridge = engine.bridge(a, b);
    expect(await playing).to.equal('stopped');
    expect(await a.play(['beep'], undefined, { loop: true })).to.equal('stopped');
    await sleep(30);
    const count = phoneA.received.length;
    await sleep(100);
    expect(phoneA.received.length).to.equal(count); // B's phone is quiet: nothing goes to A
    await bridge.close();
    await sleep(150);
    const after = phoneA.received.slice(count).map((r) => r.packet);
    expect(after.length).to.be.greaterThan(2);
    expect(after.every((p) => p.payload.every((x) => x === 0xff))).to.equal(true);
    expect(after[0]?.marker).to.equal(true);
  });

  it('when either session closes, the bridge closes once; close() twice is safe', async () => {
    const { phoneA, a, b } = await twoLegs();
    const bridge = engine.bridge(a, b);
    const closed = sinon.spy();
    bridge.events.on('closed', closed);
    b.close();
    await bridge.close();
    await bridge.close();
    expect(closed.callCount).to.equal(1);
    expect(bridge.recordingPath).to.equal(undefined);
    const count = phoneA.received.length;
    await sleep(80);
    expect(phoneA.received.length).to.be.greaterThan(count); // A is back to silence
    expect(() => engine.bridge(a, b)).to.throw(MediaError).with.property('code', 'BRIDGE_INVALID');
  });

  it('when bridging a session to itself or one already bridged, it throws BRIDGE_INVALID', async () => {
    const { a, b } = await twoLegs();
    const c = await engine.createSession('third');
    c.setSignallingAddress('127.0.0.1'); // the INVITE came from the phone's own address
    expect(() => engine.bridge(a, a)).to.throw(MediaError).with.property('code', 'BRIDGE_INVALID');
    const bridge = engine.bridge(a, b);
    expect(() => engine.bridge(c, b)).to.throw(MediaError).with.property('code', 'BRIDGE_INVALID');
    await bridge.close();
    await engine.bridge(c, b).close();
  });
});
