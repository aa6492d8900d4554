import { expect } from 'chai';
import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'sdp-transform';
import sinon from 'sinon';
import { ProtectionProfileAes128CmHmacSha1_80, RtpHeader, SrtpSession } from 'werift';
import { silentLogger } from '../../../../src/logging/logger.js';
import { encodeUlaw } from '../../../../src/media/g711.js';
import type { RtpSession } from '../../../../src/media/media-types.js';
import { RtpMediaEngine } from '../../../../src/media/rtp-media-engine.js';
import { parseRtp, type RtpPacket } from '../../../../src/media/rtp-packet.js';
import { newSdesKey } from '../../../../src/media/srtp/sdes-crypto.js';
import { WorkerMediaEngine } from '../../../../src/media/worker/worker-media-engine.js';
import { rms, stereoChannels, tone, voiced, zeroCrossingHz } from '../tone.js';
import { UdpPeer, offerTo, sleep, sleepUntil, until } from '../udp-peer.js';

const promptsDir = fileURLToPath(new URL('../../../fixtures/media/prompts', import.meta.url));
const basePort = 20000 + 2 * Math.floor(Math.random() * 15000);

/** A desk phone doing SDES-SRTP with werift's own SrtpSession: offers its key, takes ours from the answer. */
class SrtpPhone {
  readonly key = newSdesKey();
  readonly wire: Buffer[] = [];
  readonly heard: RtpPacket[] = [];
  srtp: SrtpSession | undefined;

  private constructor(
    readonly socket: Socket,
    readonly port: number,
  ) {
    socket.on('message', (msg) => {
      this.wire.push(Buffer.from(msg));
      if (this.srtp === undefined) return;
      try {
        const clear = parseRtp(this.srtp.decrypt(msg));
        if (clear !== undefined) this.heard.push({ ...clear, payload: Buffer.from(clear.payload) });
      } catch {
        // not ours to judge here: the test counts what decrypts
      }
    });
  }

  static async open(): Promise<SrtpPhone> {
    const socket = createSocket('udp4');
    socket.bind(0, '127.0.0.1');
    await once(socket, 'listening');
    return new SrtpPhone(socket, socket.address().port);
  }

  offer(profile = 'RTP/SAVP'): string {
    return [
      'v=0', 'o=desk 1 1 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0',
      `m=audio ${this.port} ${profile} 0 101`, 'a=rtpmap:0 PCMU/8000', 'a=rtpmap:101 telephone-event/8000', 'a=fmtp:101 0-16',
      `a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${this.key}`, 'a=sendrecv', '',
    ].join('\r\n');
  }

  /** Takes the server's key from its answer. */
  accept(answer: string): void {
    const config = parse(answer).media[0]?.crypto?.[0]?.config ?? '';
    const theirs = Buffer.from(config.replace(/^inline:/, ''), 'base64');
    const mine = Buffer.from(this.key, 'base64');
    this.srtp = new SrtpSession({
      keys: { localMasterKey: mine.subarray(0, 16), localMasterSalt: mine.subarray(16), remoteMasterKey: theirs.subarray(0, 16), remoteMasterSalt: theirs.subarray(16) },
      profile: ProtectionProfileAes128CmHmacSha1_80,
    });
  }

  protect(seq: number, payload: Buffer, ssrc = 0x5eed): Buffer {
    if (this.srtp === undefined) throw new Error('no keys yet');
    return this.srtp.encrypt(payload, new RtpHeader({ payloadType: 0, sequenceNumber: seq, timestamp: seq * 160, ssrc }));
  }

  send(to: number, packet: Buffer): void {
    this.socket.send(packet, to, '127.0.0.1');
  }

  close(): void {
    this.socket.close();
  }
}

describe('SDES-SRTP legs (RTP sessions with a=crypto keys)', function () {
  this.timeout(30_000);
  let engine: RtpMediaEngine | WorkerMediaEngine | undefined;
  const closers: (() => void)[] = [];
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sdes-leg-'));
  });

  afterEach(async () => {
    sinon.restore();
    await engine?.close();
    engine = undefined;
    for (const c of closers.splice(0)) c();
    await rm(dir, { recursive: true, force: true });
  });

  async function phone(): Promise<SrtpPhone> {
    const p = await SrtpPhone.open();
    closers.push(() => {
      p.close();
    });
    return p;
  }

  /** A leg answered for `p` over TLS signalling and acknowledged. */
  function secureLeg(session: RtpSession, p: SrtpPhone): void {
    session.setSignallingAddress?.('127.0.0.1', 'tls');
    p.accept(session.answerOffer(p.offer()));
    session.confirmRemote?.();
  }

  it('when a prompt plays on an SRTP leg, the phone decrypts the prompt\'s own bytes and no packet on the wire is clear RTP', async () => {
    const e = await RtpMediaEngine.create({ bindAddress: '127.0.0.1', publicAddress: '127.0.0.1', portMin: basePort, portMax: basePort + 20, promptsDir, logger: silentLogger(), comfortSilence: false, sdesPolicy: 'offer' });
    engine = e;
    const p = await phone();
    const session = await e.createSession('srtp-play');
    secureLeg(session, p);
    expect(await session.play(['tone-1s'])).to.equal('completed');
    await sleep(60);
    expect(p.heard.length).to.be.at.least(45);
    const prompt = e.prompts.get('tone-1s');
    expect(p.heard[0]?.payload.equals(prompt?.pcmu.subarray(0, 160) ?? Buffer.alloc(0))).to.equal(true);
    // On the wire: 10-byte tags, and the payload is not the prompt's bytes.
    for (const msg of p.wire) {
      expect(msg.length).to.equal(12 + 160 + 10);
      expect(msg.subarray(12, 172).equals(p.heard[0]?.payload ?? Buffer.alloc(0))).to.equal(false);
    }
  });

  it('when the phone sends SRTP, the clear audio reaches onAudio; forged, tampered, replayed and clear packets are dropped and counted', async () => {
    const e = await RtpMediaEngine.create({ bindAddress: '127.0.0.1', publicAddress: '127.0.0.1', portMin: basePort + 30, portMax: basePort + 50, promptsDir, logger: silentLogger(), comfortSilence: false, sdesPolicy: 'offer' });
    engine = e;
    const p = await phone();
    const session = await e.createSession('srtp-recv');
    const heard: Buffer[] = [];
    session.onAudio = (payload) => heard.push(Buffer.from(payload));
    secureLeg(session, p);
    const audio = encodeUlaw(tone(440, 160 * 5, 8000));
    const sent: Buffer[] = [];
    for (let i = 0; i < 5; i++) {
      const packet = p.protect(100 + i, audio.subarray(i * 160, (i + 1) * 160));
      sent.push(packet);
      p.send(session.localPort, packet);
    }
    await until(() => heard.length === 5, 'five decrypted packets');
    expect(Buffer.concat(heard).equals(audio)).to.equal(true);

    // Another port of the same host, with a made-up tag; the real packet with its tag flipped; a replay; clear RTP.
    const attacker = await UdpPeer.open();
    closers.push(() => {
      attacker.close();
    });
    const forged = Buffer.concat([sent[0]?.subarray(0, 12) ?? Buffer.alloc(12), Buffer.alloc(160, 0x11), Buffer.alloc(10, 0x22)]);
    forged.writeUInt16BE(200, 2);
    attacker.send(session.localPort, { payloadType: 0, sequenceNumber: 300, ssrc: 0x5eed, payload: Buffer.alloc(160, 0x33) });
    const tampered = Buffer.from(p.protect(105, audio.subarray(0, 160)));
    tampered[tampered.length - 1] = (tampered[tampered.length - 1] ?? 0) ^ 1;
    p.send(session.localPort, forged);
    p.send(session.localPort, tampered);
    p.send(session.localPort, sent[2] ?? Buffer.alloc(0));
    await until(() => e.srtpPacketsDropped.auth === 3 && e.srtpPacketsDropped.replay === 1, 'three auth failures and one replay');
    expect(heard).to.have.length(5);
    expect(e.foreignPacketsDropped).to.equal(0);
    // The stream is unharmed: the next genuine packet is heard.
    p.send(session.localPort, p.protect(106, audio.subarray(0, 160)));
    await until(() => heard.length === 6, 'the next genuine packet');
  });

  it('when SDES is negotiated in a media worker, a bridge to a plain caller records the phone\'s decrypted tone on the agent\'s channel', async () => {
    const e = await WorkerMediaEngine.create({ bindAddress: '127.0.0.1', publicAddress: '127.0.0.1', portMin: basePort + 60, portMax: basePort + 80, promptsDir, logger: silentLogger(), workers: 1, sdesPolicy: 'offer' });
    engine = e;
    const callerPhone = await UdpPeer.open();
    closers.push(() => {
      callerPhone.close();
    });
    const caller = await e.createSession('caller');
    caller.setSignallingAddress('127.0.0.1', 'udp');
    caller.answerOffer(offerTo(callerPhone.port, '0 101'));
    caller.confirmRemote();
    const agentPhone = await phone();
    const agent = await e.createSession('agent');
    secureLeg(agent, agentPhone);
    const path = join(dir, 'bridge.wav');
    const bridge = e.bridge(caller, agent, { recordingPath: path });
    await sleep(100);
    const agentAudio = encodeUlaw(tone(1000, 8000, 6000));
    const started = performance.now();
    for (let i = 0; i < 50; i++) {
      agentPhone.send(agent.localPort, agentPhone.protect(i + 1, agentAudio.subarray(i * 160, (i + 1) * 160)));
      await sleepUntil(started + (i + 1) * 20);
    }
    // A forged packet from another port is dropped in the worker and counted in shared memory.
    const attacker = await UdpPeer.open();
    closers.push(() => {
      attacker.close();
    });
    attacker.send(agent.localPort, { payloadType: 0, sequenceNumber: 77, ssrc: 0x5eed, payload: Buffer.alloc(170, 0x44) });
    await until(() => e.srtpPacketsDropped.auth >= 1, 'the forged packet counted');
    await sleep(60);
    // The caller's phone hears the agent's tone in clear (PCMU), relayed from the decrypted SRTP.
    const toCaller = callerPhone.received.map((r) => r.packet).filter((x) => !x.payload.every((b) => b === 0xff));
    expect(toCaller.length).to.be.at.least(40);
    await bridge.close();
    const { right } = stereoChannels(await readFile(path));
    const agentSide = voiced(right);
    expect(agentSide.length).to.be.at.least(40 * 160);
    expect(zeroCrossingHz(agentSide)).to.be.within(960, 1040);
    expect(rms(agentSide)).to.be.within(3800, 4700);
  });
});
