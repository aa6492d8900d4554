import { expect } from 'chai';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sinon from 'sinon';
import { silentLogger } from '../../../src/logging/logger.js';
import { decodeUlaw, encodeUlaw } from '../../../src/media/g711.js';
import type { ProcessMediaEngine } from '../../../src/media/create-media-engine.js';
import { RtpMediaEngine } from '../../../src/media/rtp-media-engine.js';
import { WorkerMediaEngine } from '../../../src/media/worker/worker-media-engine.js';
import { BrowserPeer } from '../../support/webrtc-browser-peer.js';
import { rms, stereoChannels, tone, voiced, zeroCrossingHz } from './tone.js';
import { UdpPeer, offerTo, sleep, sleepUntil, until } from './udp-peer.js';

const promptsDir = fileURLToPath(new URL('../../fixtures/media/prompts', import.meta.url));
const basePort = 20000 + 2 * Math.floor(Math.random() * 15000);


function concat(parts: Buffer[]): Int16Array {
  return decodeUlaw(Buffer.concat(parts));
}

const engines: { name: string; make: (portMin: number) => Promise<ProcessMediaEngine> }[] = [
  {
    name: 'in-process engine',
    make: (portMin) => RtpMediaEngine.create({ bindAddress: '127.0.0.1', publicAddress: '127.0.0.1', portMin, portMax: portMin + 40, promptsDir, logger: silentLogger(), webrtc: true }),
  },
  {
    name: 'media worker engine',
    make: (portMin) =>
      WorkerMediaEngine.create({ bindAddress: '127.0.0.1', publicAddress: '127.0.0.1', portMin, portMax: portMin + 40, promptsDir, logger: silentLogger(), workers: 1, webrtc: true }),
  },
];

engines.forEach(({ name, make }, index) => {
  describe(`WebRTC agent leg (${name})`, function () {
    // A worker under tsx compiles its modules, and DTLS handshakes take a while on a loaded machine.
    this.timeout(40_000);
    let engine: ProcessMediaEngine;
    let dir: string;
    const browsers: BrowserPeer[] = [];
    const peers: UdpPeer[] = [];

    function browser(): BrowserPeer {
      const b = new BrowserPeer();
      browsers.push(b);
      return b;
    }

    /** A caller on plain RTP/AVP PCMU with telephone-event 101, answered and ACKed. */
    async function plainCaller() {
      const phone = await UdpPeer.open();
      peers.push(phone);
      const session = await engine.createSession('caller');
      session.setSignallingAddress?.('127.0.0.1');
      session.answerOffer(offerTo(phone.port));
      session.confirmRemote?.();
      return { phone, session };
    }

    beforeEach(async () => {
      engine = await make(basePort + index * 50);
      dir = await mkdtemp(join(tmpdir(), 'webrtc-leg-'));
    });

    afterEach(async () => {
      sinon.restore();
      for (const b of browsers.splice(0)) await b.close();
      for (const p of peers.splice(0)) p.close();
      await engine.close();
      await rm(dir, { recursive: true, force: true });
    });

    it('when the server calls a browser (WebRTC offer) bridged to a plain RTP caller, each hears the other, the recording has the caller left and the agent right, and a key press in the browser reaches the caller as RFC 4733', async () => {
      const { phone, session: caller } = await plainCaller();
      const agent = await engine.createSession('agent');
      const offer = agent.createOffer({ webrtc: true });
      expect(offer).to.match(/m=audio \d+ UDP\/TLS\/RTP\/SAVPF 0 8 101/);
      expect(offer).to.contain('a=ice-lite').and.contain('a=setup:actpass').and.contain('a=rtcp-mux').and.contain('a=fingerprint:sha-256 ');
      const b = browser();
      agent.acceptAnswer(await b.answer(offer));
      await b.connected();
      const digits: string[] = [];
      agent.events.on('dtmf', (d) => digits.push(d));
      const path = join(dir, 'call.wav');
      const bridge = engine.bridge(caller, agent, { recordingPath: path });

      b.startTone(660);
      const callerTone = encodeUlaw(tone(440, 160 * 75));
      const started = performance.now();
      for (let i = 0; i < 75; i++) {
        phone.send(caller.localPort, { payloadType: 0, sequenceNumber: 1000 + i, timestamp: 8000 + i * 160, ssrc: 77, marker: i === 0, payload: callerTone.subarray(i * 160, (i + 1) * 160) });
        await sleepUntil(started + (i + 1) * 20);
      }
      b.stopTone();
      await b.pressKey(5);
      await until(() => digits.includes('5'), 'the browser key press');
      await until(() => phone.received.some((r) => r.packet.payloadType === 101 && r.packet.payload[0] === 5), 'RFC 4733 event 5 at the caller');
      await bridge.close();

      // The browser heard the caller's 440 Hz through DTLS-SRTP.
      const heard = voiced(concat(b.payloads(0)));
      expect(heard.length).to.be.greaterThan(160 * 30);
      expect(zeroCrossingHz(heard)).to.be.within(400, 480);
      // The caller heard the browser's 660 Hz on plain RTP.
      const fromAgent = voiced(concat(phone.received.filter((r) => r.packet.payloadType === 0).map((r) => r.packet.payload)));
      expect(fromAgent.length).to.be.greaterThan(160 * 30);
      expect(zeroCrossingHz(fromAgent)).to.be.within(620, 700);
      // Recorded like any call: caller left, agent right.
      const { left, right } = stereoChannels(await readFile(path));
      const l = voiced(left);
      const r = voiced(right);
      expect(rms(l)).to.be.greaterThan(1000);
      expect(rms(r)).to.be.greaterThan(1000);
      expect(zeroCrossingHz(l)).to.be.within(400, 480);
      expect(zeroCrossingHz(r)).to.be.within(620, 700);
    });

    it('when the browser offers WebRTC, the server answers ice-lite as DTLS server and audio flows both ways', async () => {
      const { phone, session: caller } = await plainCaller();
      const agent = await engine.createSession('agent');
      const b = browser();
      const answer = agent.answerOffer(await b.offer());
      expect(answer).to.contain('UDP/TLS/RTP/SAVPF').and.contain('a=ice-lite').and.contain('a=setup:passive').and.contain('a=mid:0');
      await b.accept(answer);
      agent.confirmRemote?.(); // the ACK
      await b.connected();
      const bridge = engine.bridge(caller, agent);
      b.startTone(660);
      const callerTone = encodeUlaw(tone(440, 160 * 40));
      const started = performance.now();
      for (let i = 0; i < 40; i++) {
        phone.send(caller.localPort, { payloadType: 0, sequenceNumber: 1 + i, timestamp: 160 * i, ssrc: 78, marker: i === 0, payload: callerTone.subarray(i * 160, (i + 1) * 160) });
        await sleepUntil(started + (i + 1) * 20);
      }
      b.stopTone();
      await bridge.close();
      expect(zeroCrossingHz(voiced(concat(b.payloads(0))))).to.be.within(400, 480);
      const fromAgent = voiced(concat(phone.received.filter((x) => x.packet.payloadType === 0).map((x) => x.packet.payload)));
      expect(fromAgent.length).to.be.greaterThan(160 * 15);
    });

    it('when the browser’s DTLS certificate does not match its SDP fingerprint, the server sends it no media', async () => {
      const agent = await engine.createSession('agent');
      const b = browser();
      const answer = await b.answer(agent.createOffer({ webrtc: true }));
      // Another certificate's hash: what a man in the middle of the media path would present.
      const forged = answer.replace(/a=fingerprint:sha-256 [0-9A-F:]+/, `a=fingerprint:sha-256 ${Array.from({ length: 32 }, () => 'AB').join(':')}`);
      agent.acceptAnswer(forged);
      await b.connected().catch(() => undefined);
      await sleep(600);
      expect(b.received).to.have.length(0);
      if ('webrtcState' in agent) expect(agent.webrtcState).to.equal('failed');
    });
  });
});
