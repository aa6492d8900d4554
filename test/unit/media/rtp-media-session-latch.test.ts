import { expect } from 'chai';
import { fileURLToPath } from 'node:url';
import { Registry } from 'prom-client';
import sinon from 'sinon';
import { registerMediaGauges } from '../../../src/api/media-telemetry.js';
import { silentLogger } from '../../../src/logging/logger.js';
import { MediaError } from '../../../src/media/media-error.js';
import { RtpMediaEngine } from '../../../src/media/rtp-media-engine.js';
import { UdpPeer, offerTo, sleep } from './udp-peer.js';

const promptsDir = fileURLToPath(new URL('../../fixtures/media/prompts', import.meta.url));
const basePort = 20000 + 2 * Math.floor(Math.random() * 15000);

/** RFC 4733 §2.3 payload of one event: event code, E bit + volume 10, duration. */
function eventPayload(event: number, end: boolean, duration: number): Buffer {
  return Buffer.from([event, end ? 0x8a : 0x0a, duration >> 8, duration & 0xff]);
}

/** Presses `event` as a phone does: start, continuation, end ×3 (RFC 4733 §2.5.1.4). */
function press(peer: UdpPeer, toPort: number, event: number, timestamp: number, ssrc: number): void {
  for (const [end, duration] of [[false, 160], [false, 800], [true, 1280], [true, 1280], [true, 1280]] as const) {
    peer.send(toPort, { payloadType: 101, timestamp, ssrc, payload: eventPayload(event, end, duration) });
  }
}

function offerAt(address: string, port: number): string {
  return offerTo(port).replace('c=IN IP4 127.0.0.1', `c=IN IP4 ${address}`);
}

describe('RtpMediaSession: who may send into a call and where it sends', () => {
  let engine: RtpMediaEngine;
  const peers: UdpPeer[] = [];

  beforeEach(async () => {
    engine = await RtpMediaEngine.create({
      bindAddress: '127.0.0.1',
      publicAddress: '127.0.0.1',
      portMin: basePort,
      portMax: basePort + 40,
      promptsDir,
      logger: silentLogger(),
      relatchSilenceMs: 2000,
    });
  });

  afterEach(async () => {
    sinon.restore();
    await engine.close();
    for (const p of peers.splice(0)) p.close();
  });

  async function peer(address?: string): Promise<UdpPeer> {
    const p = await UdpPeer.open(address);
    peers.push(p);
    return p;
  }

  it('when a stranger sends audio with the right payload type from another address, the caller keeps the stream, the stranger gets nothing, and the drops are counted on /metrics', async () => {
    const caller = await peer();
    const forger = await peer('127.0.0.2');
    const session = await engine.createSession('call-forged');
    session.setSignallingAddress('127.0.0.1'); // the INVITE came from the phone's own address
    session.answerOffer(offerTo(caller.port));
    session.confirmRemote(); // the ACK
    caller.send(session.localPort, { payload: Buffer.alloc(160, 0xff), ssrc: 1111 });
    await sleep(40);
    for (let i = 0; i < 50; i++) forger.send(session.localPort, { payload: Buffer.alloc(160, 0x7f), ssrc: 1111, sequenceNumber: 100 + i });
    await sleep(60);
    caller.received.length = 0;
    await sleep(150);
    expect(forger.received, 'packets the stranger received').to.have.length(0);
    expect(caller.received.length, 'packets the caller received after the forgery').to.be.greaterThan(3);
    expect(session.remote).to.deep.equal({ address: '127.0.0.1', port: caller.port });
    expect(session.foreignPacketsDropped).to.equal(50);
    const registry = new Registry();
    registerMediaGauges(registry, engine);
    expect(await registry.metrics()).to.match(/^hotline_rtp_foreign_packets_dropped_total 50$/m);
  });

  it('when a stranger injects an RFC 4733 key press from another source, no digit reaches the IVR; the caller\'s own key still does', async () => {
    const caller = await peer();
    const forger = await peer('127.0.0.2');
    const session = await engine.createSession('call-dtmf-forged');
    session.setSignallingAddress('127.0.0.1'); // the INVITE came from the phone's own address
    session.answerOffer(offerTo(caller.port));
    session.confirmRemote();
    const digits: string[] = [];
    session.events.on('dtmf', (d) => digits.push(d));
    caller.send(session.localPort, { payload: Buffer.alloc(160, 0xff), ssrc: 1111 });
    await sleep(30);
    press(forger, session.localPort, 1, 8000, 1111);
    await sleep(50);
    press(caller, session.localPort, 2, 16000, 1111);
    await sleep(50);
    expect(digits).to.deep.equal(['2']);
  });

  it('when a stranger on the same address but another port injects a key press with another SSRC, it is ignored', async () => {
    const caller = await peer();
    const forger = await peer();
    const session = await engine.createSession('call-dtmf-port');
    session.setSignallingAddress('127.0.0.1'); // the INVITE came from the phone's own address
    session.answerOffer(offerTo(caller.port));
    session.confirmRemote();
    const digits: string[] = [];
    session.events.on('dtmf', (d) => digits.push(d));
    caller.send(session.localPort, { payload: Buffer.alloc(160, 0xff), ssrc: 1111 });
    await sleep(30);
    press(forger, session.localPort, 9, 8000, 4242);
    await sleep(50);
    expect(digits).to.deep.equal([]);
    expect(session.foreignPacketsDropped).to.equal(5);
  });

  it('when the caller\'s NAT binding moves (same SSRC, new port) after a silence, the stream follows it', async () => {
    await engine.close();
    engine = await RtpMediaEngine.create({
      bindAddress: '127.0.0.1', publicAddress: '127.0.0.1', portMin: basePort, portMax: basePort + 40, promptsDir,
      logger: silentLogger(), relatchSilenceMs: 200,
    });
    const sdp = await peer();
    const oldBinding = await peer();
    const newBinding = await peer();
    const session = await engine.createSession('call-rebind');
    session.setSignallingAddress('127.0.0.1'); // the INVITE came from the phone's own address
    session.answerOffer(offerTo(sdp.port));
    session.confirmRemote();
    oldBinding.send(session.localPort, { payload: Buffer.alloc(160, 0xff), ssrc: 1111 });
    await sleep(30);
    newBinding.send(session.localPort, { payload: Buffer.alloc(160, 0xff), ssrc: 1111 });
    await sleep(30);
    expect(session.remote?.port, 'too early: still the old binding').to.equal(oldBinding.port);
    await sleep(250);
    newBinding.send(session.localPort, { payload: Buffer.alloc(160, 0xff), ssrc: 1111 });
    await sleep(30);
    expect(session.remote?.port).to.equal(newBinding.port);
    newBinding.received.length = 0;
    await sleep(100);
    expect(newBinding.received.length).to.be.greaterThan(2);
  });

  it('when an offer is answered but not yet acknowledged, it sends nothing to the SDP address; after the ACK it does', async () => {
    const victim = await peer();
    const session = await engine.createSession('call-no-ack');
    session.setSignallingAddress('127.0.0.1'); // the INVITE came from the phone's own address
    session.answerOffer(offerTo(victim.port));
    await sleep(300);
    expect(victim.received, 'packets sent before the ACK').to.have.length(0);
    session.confirmRemote();
    await sleep(200);
    expect(victim.received.length).to.be.greaterThan(3);
  });

  it('when our own offer is answered (outbound call), it sends at once', async () => {
    const phone = await peer();
    const session = await engine.createSession('call-out');
    session.setSignallingAddress('127.0.0.1'); // the INVITE came from the phone's own address
    session.createOffer();
    session.acceptAnswer(offerTo(phone.port, '0 101'));
    await sleep(200);
    expect(phone.received.length).to.be.greaterThan(3);
  });

  for (const [what, sdp] of [
    ['a host name', offerAt('victim.example.com', 40000)],
    ['a multicast address', offerAt('239.1.2.3', 40000)],
    ['the broadcast address', offerAt('255.255.255.255', 40000)],
    ['an IPv6 multicast address', offerTo(40000).replace('c=IN IP4 127.0.0.1', 'c=IN IP6 ff02::1')],
    ['a port below 1024 (DNS)', offerTo(53)],
  ] as const) {
    it(`when the offer's connection names ${what}, it refuses it (488) and binds nothing to it`, async () => {
      const session = await engine.createSession('call-bad-c');
      session.setSignallingAddress('127.0.0.1'); // the INVITE came from the phone's own address
      expect(() => session.answerOffer(sdp)).to.throw(MediaError).with.property('code', 'SDP_ADDRESS_REFUSED');
      expect(session.remote).to.equal(undefined);
    });
  }

  it('when a re-INVITE puts the call on hold with c=0.0.0.0, it is accepted and nothing is sent', async () => {
    const phone = await peer();
    const session = await engine.createSession('call-hold');
    session.setSignallingAddress('127.0.0.1'); // the INVITE came from the phone's own address
    session.answerOffer(offerTo(phone.port));
    session.confirmRemote();
    session.answerOffer(offerAt('0.0.0.0', phone.port));
    session.confirmRemote(); // the re-INVITE's ACK
    await sleep(30);
    phone.received.length = 0;
    await sleep(150);
    expect(phone.received).to.have.length(0);
  });

  it('when a forged INVITE from 127.0.0.2 names a victim 127.0.0.3 in c= and is then ACKed, the victim receives nothing', async () => {
    const victim = await peer('127.0.0.3');
    const session = await engine.createSession('call-reflect');
    session.setSignallingAddress('127.0.0.2'); // the attacker's own address sent the INVITE and the ACK
    session.answerOffer(offerAt('127.0.0.3', victim.port));
    session.confirmRemote();
    await sleep(300);
    expect(victim.received, 'packets sent to the victim').to.have.length(0);
    expect(session.remote).to.equal(undefined);
  });

  it('when a NATed caller (private SDP address) is sprayed with RTP from another host, the sprayer cannot latch and the caller\'s own RTP from its signalling address gets the stream', async () => {
    const caller = await peer('127.0.0.1');
    const sprayer = await peer('127.0.0.2');
    const session = await engine.createSession('call-nat-spray');
    session.setSignallingAddress('127.0.0.1');
    session.answerOffer(offerAt('10.0.0.5', 40000));
    for (let i = 0; i < 20; i++) sprayer.send(session.localPort, { payload: Buffer.alloc(160, 0x7f), ssrc: 6666, sequenceNumber: i });
    await sleep(30);
    session.confirmRemote();
    const digits: string[] = [];
    session.events.on('dtmf', (d) => digits.push(d));
    press(sprayer, session.localPort, 5, 8000, 6666);
    await sleep(30);
    caller.send(session.localPort, { payload: Buffer.alloc(160, 0xff), ssrc: 1111 });
    await sleep(200);
    expect(sprayer.received, 'packets the sprayer received').to.have.length(0);
    expect(digits, 'digits the sprayer pressed').to.deep.equal([]);
    expect(session.remote).to.deep.equal({ address: '127.0.0.1', port: caller.port });
    expect(caller.received.length).to.be.greaterThan(3);
    expect(session.foreignPacketsDropped).to.equal(25);
  });

  it('when a re-INVITE repeats the same c= and m= (session refresh), the NATed caller keeps its latched stream', async () => {
    const caller = await peer('127.0.0.1');
    const session = await engine.createSession('call-refresh');
    session.setSignallingAddress('127.0.0.1');
    session.answerOffer(offerAt('10.0.0.5', 40000));
    session.confirmRemote();
    caller.send(session.localPort, { payload: Buffer.alloc(160, 0xff), ssrc: 1111 });
    await sleep(40);
    session.answerOffer(offerAt('10.0.0.5', 40000));
    session.confirmRemote(); // the re-INVITE's ACK
    caller.received.length = 0;
    await sleep(150);
    expect(session.remote).to.deep.equal({ address: '127.0.0.1', port: caller.port });
    expect(caller.received.length).to.be.greaterThan(3);
  });

  it('when a re-INVITE moves the media to a new port, the old one keeps the stream until the re-INVITE\'s ACK; then the new one gets it', async () => {
    const phone = await peer('127.0.0.1');
    const moved = await peer('127.0.0.1');
    const session = await engine.createSession('call-move');
    session.setSignallingAddress('127.0.0.1');
    session.answerOffer(offerTo(phone.port));
    session.confirmRemote();
    await sleep(40);
    session.answerOffer(offerTo(moved.port));
    await sleep(150);
    expect(moved.received, 'packets before the re-INVITE\'s ACK').to.have.length(0);
    session.confirmRemote();
    phone.received.length = 0;
    await sleep(150);
    expect(moved.received.length).to.be.greaterThan(3);
    expect(phone.received.length).to.be.lessThan(2);
  });
});
