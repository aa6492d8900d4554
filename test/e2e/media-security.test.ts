import { expect } from 'chai';
import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import { encodeRtp, parseRtp } from '../../src/media/rtp-packet.js';
import { RawSipCall, type RawSipCallOptions } from '../support/raw-sip-call.js';
import { startServer, type ServerHandle } from '../support/server-process.js';
import { testDatabaseUrl, testDbKind, type TestDatabaseUrl } from '../support/test-database.js';

/** RFC 4733 §2.3 payloads of one key press: start, continuation, end ×3. */
function keyPress(event: number): Buffer[] {
  return ([[false, 160], [false, 800], [true, 1280], [true, 1280], [true, 1280]] as const).map(([end, duration]) =>
    Buffer.from([event, end ? 0x8a : 0x0a, duration >> 8, duration & 0xff]));
}

/** A UDP socket counting the RTP it receives (a forger's, or a third party's the SDP names). */
async function listener(address: string): Promise<{ socket: Socket; port: number; rtp: number[] }> {
  const socket = createSocket('udp4');
  socket.bind(0, address);
  await once(socket, 'listening');
  const rtp: number[] = [];
  socket.on('message', (msg) => {
    if (parseRtp(msg)) rtp.push(msg.length);
  });
  return { socket, port: socket.address().port, rtp };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Issue 9 items 3 and 4 against the real server process over real UDP: a stranger cannot take a
 * call's audio or press keys in it, and a forged INVITE cannot aim the server's media at a third party.
 */
describe(`media hijack and reflection, end to end (${testDbKind()})`, function () {
  this.timeout(60_000);
  let server: ServerHandle;
  let database: TestDatabaseUrl;
  const sockets: Socket[] = [];
  const calls: RawSipCall[] = [];

  before(async () => {
    database = await testDatabaseUrl();
    server = await startServer({}, { databaseUrl: database.url });
  });

  after(async () => {
    await server.stop();
    await database.cleanup();
  });

  afterEach(() => {
    for (const s of sockets.splice(0)) s.close();
    for (const c of calls.splice(0)) c.close();
  });

  async function caller(options: Omit<RawSipCallOptions, 'serverPort'> = {}): Promise<RawSipCall> {
    const call = await RawSipCall.open({ serverPort: server.sipPort, ...options });
    calls.push(call);
    return call;
  }

  it('when a stranger on another address sprays audio and a key press at the call\'s RTP port, the caller keeps its audio, the stranger hears nothing, and the IVR follows only the caller\'s key', async () => {
    const call = await caller({ from: '13800138111' });
    expect((await call.invite()).status).to.equal(200);
    call.ack();
    const serverRtp = call.serverMediaPort ?? 0;
    const forger = await listener('127.0.0.2');
    sockets.push(forger.socket);
    const silence = Buffer.alloc(160, 0xff);
    // The caller talks first (its first packet latches it), then keeps talking every 20 ms.
    let seq = 0;
    const talk = setInterval(() => {
      seq++;
      call.sendRtp({ sequenceNumber: seq, timestamp: seq * 160, payload: silence });
    }, 20);
    try {
      call.sendRtp({ sequenceNumber: 0, timestamp: 0, payload: silence });
      await sleep(100);
      // The stranger: 500 audio packets with the right payload type, then the key 1 (consult) twice.
      for (let i = 0; i < 500; i++) {
        forger.socket.send(encodeRtp({ payloadType: 0, marker: false, sequenceNumber: i, timestamp: i * 160, ssrc: 0x1111, payload: silence }), serverRtp, '127.0.0.1');
      }
      for (const ts of [80_000, 96_000]) {
        for (const payload of keyPress(1)) {
          forger.socket.send(encodeRtp({ payloadType: 101, marker: false, sequenceNumber: 1, timestamp: ts, ssrc: 0x1111, payload }), serverRtp, '127.0.0.1');
        }
        await sleep(300);
      }
      const heardBefore = call.rtpReceived.length;
      // The caller's own key: 2 (complaint), with its own SSRC from its own port.
      for (const payload of keyPress(2)) call.sendRtp({ payloadType: 101, timestamp: 200_000, payload });
      // The complaint branch queues the caller (no agent here): the caller hears the announcement, then hangs up.
      await server.waitForCall((c) => c.callId === call.callId && c.queue === 'complaint', 15_000);
      await sleep(2000);
      await call.bye();
      expect(forger.rtp, 'RTP packets the stranger received').to.have.length(0);
      expect(call.rtpReceived.length - heardBefore, 'RTP packets the caller received after the forgery').to.be.above(50);
    } finally {
      clearInterval(talk);
    }
    const record = await server.waitForCall((c) => c.callId === call.callId && c.endedAt !== null, 15_000);
    expect(record.digits).to.equal('2');
    expect(record.ivrPath.split(',')).to.deep.equal(['welcome', 'notices', 'main-menu', 'complaint']);
    const metrics = await (await fetch(`${server.baseUrl}/metrics`)).text();
    const dropped = Number(/^hotline_rtp_foreign_packets_dropped_total (\d+)/m.exec(metrics)?.[1] ?? '0');
    expect(dropped, 'hotline_rtp_foreign_packets_dropped_total').to.be.at.least(510);
    expect(server.logs()).to.include('RTP from a foreign source dropped');
    expect(server.logs(), 'the stranger\'s address is masked in the log').to.not.match(/"address":"127\.0\.0\.2"/);
  });

  it('when an INVITE names a third party in its SDP and no ACK comes, the server sends that party no RTP at all', async () => {
    const victim = await listener('127.0.0.1');
    sockets.push(victim.socket);
    const call = await caller({ sdpPort: victim.port });
    expect((await call.invite()).status, 'the forged INVITE is answered (that alone is not media)').to.equal(200);
    // No ACK: the 200 OK is retransmitted to the sender; no media may go to the SDP address.
    await sleep(3000);
    expect(victim.rtp, 'RTP packets sent to the third party').to.have.length(0);
  });

  it('when the same INVITE is then acknowledged, media flows to the SDP address (the ACK is what unlocks it)', async () => {
    const phone = await listener('127.0.0.1');
    sockets.push(phone.socket);
    const call = await caller({ sdpPort: phone.port });
    expect((await call.invite()).status).to.equal(200);
    await sleep(500);
    expect(phone.rtp).to.have.length(0);
    call.ack();
    await sleep(500);
    expect(phone.rtp.length).to.be.above(5);
  });

  it('when the SDP connection address is a host name, it answers 488 before any media is sent (the name is never resolved)', async () => {
    const call = await caller({ sdpAddress: 'victim.example.com' });
    const reply = await call.invite();
    expect(reply.status).to.equal(488);
    // The log line reaches this process through the server's stdout pipe, after the 488's datagram.
    for (let i = 0; i < 40 && !server.logs().includes('is not an IP address literal'); i++) await sleep(50);
    expect(server.logs(), server.tail(30)).to.include('is not an IP address literal');
  });
});
