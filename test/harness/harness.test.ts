/**
 * Self-tests of the e2e harness: sipp scenarios against sipp counterparts, two baresips calling each
 * other, the port and WAV helpers. No server involved.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdtempSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startBaresip, type Baresip } from '../support/baresip.js';
import { freePort, freePortRange, isPortFree } from '../support/ports.js';
import { describeSipp, malformedInvite, runSipp, SCENARIOS, sendRawUdp, startSipp } from '../support/sipp.js';
import { activeSeconds, energyAbove, readWav, rmsPerChannel } from '../support/wav.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const counterpart = (name: string): string => path.join(here, 'scenarios', name);

/** RFC 4733 §2.3 events received on a UDP socket: one entry per distinct (event, timestamp). */
interface DtmfCapture {
  port: number;
  events: { event: number; timestamp: number; seq: number }[];
  close(): void;
}

async function captureDtmf(): Promise<DtmfCapture> {
  const port = await freePort('udp');
  const socket = dgram.createSocket('udp4');
  const events: DtmfCapture['events'] = [];
  socket.on('message', (msg) => {
    if (msg.length < 16 || (msg.readUInt8(1) & 0x7f) !== 101) return;
    const seq = msg.readUInt16BE(2);
    const timestamp = msg.readUInt32BE(4);
    const event = msg.readUInt8(12);
    if (!events.some((e) => e.timestamp === timestamp && e.event === event)) events.push({ event, timestamp, seq });
  });
  await new Promise<void>((resolve) => socket.bind(port, '127.0.0.1', resolve));
  return { port, events, close: () => { socket.close(); } };
}

describe('e2e harness', function () {
  this.timeout(30_000);

  describe('ports', () => {
    it('when a free port is asked for, it can be bound on UDP and TCP', async () => {
      const port = await freePort('both');
      expect(port).to.be.within(30000, 60000);
      expect(await isPortFree(port, 'both')).to.equal(true);
    });

    it('when a range is asked for, it starts even and every port binds', async () => {
      const base = await freePortRange(10);
      expect(base % 2).to.equal(0);
      for (let p = base; p < base + 10; p += 1) expect(await isPortFree(p, 'udp')).to.equal(true);
    });

    it('when a port is taken, isPortFree says so', async () => {
      const server = net.createServer();
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const address = server.address();
      if (address === null || typeof address === 'string') throw new Error('no address');
      expect(await isPortFree(address.port, 'tcp')).to.equal(false);
      server.close();
    });
  });

  describe('wav', () => {
    it('when a stereo file has a tone on the left only, it reports energy on channel 0 alone', () => {
      const file = path.join(mkdtempSync(path.join(tmpdir(), 'wav-')), 'st.wav');
      const res = spawnSync('sox', ['-n', '-r', '8000', '-c', '2', '-b', '16', file, 'synth', '2', 'sine', '440', 'sine', '440', 'remix', '1', '0']);
      expect(res.status, res.stderr.toString()).to.equal(0);
      const wav = readWav(file);
      expect(wav.channels).to.equal(2);
      expect(wav.durationS).to.be.closeTo(2, 0.01);
      const [left, right] = rmsPerChannel(wav);
      expect(left).to.be.greaterThan(0.5);
      expect(right).to.be.lessThan(0.001);
      expect(energyAbove(wav, 0.1, 0)).to.equal(true);
      expect(energyAbove(wav, 0.1, 1)).to.equal(false);
      expect(activeSeconds(wav, 0.1, 0)).to.be.closeTo(2, 0.05);
    });
  });

  describe('sipp scenarios against sipp counterparts', () => {
    it('when uac-dtmf plays 3, 1, #, the counterpart receives those RFC 2833 events and its BYE is answered', async () => {
      const rtp = await captureDtmf();
      const uasPort = await freePort('both');
      const uas = await startSipp({ scenario: counterpart('uas-bye.xml'), localPort: uasPort, keys: { rtp_port: String(rtp.port) }, pauseMs: 2500, timeoutS: 15 });
      const uac = await runSipp({
        scenario: SCENARIOS.uacDtmf,
        target: `127.0.0.1:${uasPort}`,
        mediaPort: await freePortRange(4),
        pauseMs: 200,
        dtmf: '31#',
        timeoutS: 15,
      });
      const uasResult = await uas.done;
      rtp.close();
      expect(uac.exitCode, describeSipp(uac)).to.equal(0);
      expect(uac.stats?.successful).to.equal(1);
      expect(uac.stats?.failed).to.equal(0);
      expect(uasResult.exitCode, describeSipp(uasResult)).to.equal(0);
      expect(rtp.events.map((e) => e.event)).to.deep.equal([3, 1, 11]);
    });

    it('when uac-cancel rings then cancels, it gets 200 and 487 and ACKs', async () => {
      const uasPort = await freePort('both');
      const uas = await startSipp({ scenario: counterpart('uas-cancel.xml'), localPort: uasPort, timeoutS: 10 });
      const uac = await runSipp({ scenario: SCENARIOS.uacCancel, target: `127.0.0.1:${uasPort}`, pauseMs: 300, timeoutS: 10 });
      const uasResult = await uas.done;
      expect(uac.exitCode, describeSipp(uac)).to.equal(0);
      expect(uasResult.exitCode, describeSipp(uasResult)).to.equal(0);
    });

    it('when uac-bye-early hangs up on uas-answer, both complete and uas-answer plays its digit', async () => {
      const uasPort = await freePort('both');
      const uas = await startSipp({
        scenario: SCENARIOS.uasAnswer,
        localPort: uasPort,
        mediaPort: await freePortRange(4),
        dtmf: '5',
        pauseMs: 100,
        timeoutS: 10,
      });
      const uac = await runSipp({ scenario: SCENARIOS.uacByeEarly, target: `127.0.0.1:${uasPort}`, timeoutS: 10 });
      const uasResult = await uas.done;
      expect(uac.exitCode, describeSipp(uac)).to.equal(0);
      expect(uasResult.exitCode, describeSipp(uasResult)).to.equal(0);
    });

    it('when options.xml asks, the counterpart answers 200 (over TCP too)', async () => {
      for (const transport of ['u1', 't1'] as const) {
        const uasPort = await freePort('both');
        const uas = await startSipp({ scenario: counterpart('uas-options.xml'), localPort: uasPort, transport, timeoutS: 10 });
        if (transport === 't1') await new Promise((r) => setTimeout(r, 300));
        const uac = await runSipp({ scenario: SCENARIOS.options, target: `127.0.0.1:${uasPort}`, transport, timeoutS: 10 });
        const uasResult = await uas.done;
        expect(uac.exitCode, `${transport}: ${describeSipp(uac)}`).to.equal(0);
        expect(uasResult.exitCode, `${transport}: ${describeSipp(uasResult)}`).to.equal(0);
      }
    });

    it('when the target never answers, runSipp returns a failure within its timeout', async () => {
      const deadPort = await freePort('both');
      const started = Date.now();
      const uac = await runSipp({ scenario: SCENARIOS.options, target: `127.0.0.1:${deadPort}`, timeoutS: 2 });
      expect(uac.exitCode).to.not.equal(0);
      expect(Date.now() - started).to.be.lessThan(9000);
    });

    it('when sendRawUdp sends to a listener, it gets the reply back', async () => {
      const socket = dgram.createSocket('udp4');
      socket.on('message', (msg, rinfo) => { socket.send(`echo ${msg.length}`, rinfo.port, rinfo.address); });
      await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
      const reply = await sendRawUdp(socket.address().port, (local) => malformedInvite(socket.address().port, local));
      socket.close();
      expect(reply?.toString()).to.match(/^echo \d+$/);
    });
  });

  describe('baresip', function () {
    let a: Baresip | undefined;
    let b: Baresip | undefined;
    afterEach(async () => {
      await Promise.all([a?.stop(), b?.stop()]);
    });

    it('when B dials A directly and sends DTMF, A sees the digits and records B’s tone', async () => {
      a = await startBaresip({ account: { user: 'a', register: false, answerMode: 'auto' } });
      b = await startBaresip({ account: { user: 'b', register: false, answerMode: 'manual' } });
      await b.dial(a.uri('a'));
      await b.waitForEvent('CALL_ESTABLISHED', 5000);
      await a.waitForEvent('CALL_ESTABLISHED', 5000);
      await new Promise((r) => setTimeout(r, 1000));
      await b.sendDigits('1#');
      const one = await a.waitForEvent((e) => e.type === 'CALL_DTMF_START' && e.param === '1', 3000);
      const pound = await a.waitForEvent((e) => e.type === 'CALL_DTMF_START' && e.param === '#', 3000);
      expect(one.direction).to.equal('incoming');
      expect(pound.peeruri).to.equal('sip:b@127.0.0.1');
      await new Promise((r) => setTimeout(r, 1000));
      await b.hangup();
      await a.waitForEvent('CALL_CLOSED', 5000);
      await a.stop();
      const heard = a.recordings('dec');
      expect(heard, a.tail()).to.have.length(1);
      const wav = readWav(heard[0] ?? '');
      expect(wav.sampleRate).to.equal(8000);
      expect(wav.durationS).to.be.greaterThan(1);
      expect(energyAbove(wav, 0.05)).to.equal(true);
    });
  });
});
