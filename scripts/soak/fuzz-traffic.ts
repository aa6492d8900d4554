/**
 * The attacker beside the soak (scripts/soak.ts): every 100 ms a few SIP datagrams that are malformed,
 * oversized or nested (the cases of issue 9), every 2 s an INVITE whose SDP names a "victim" address
 * and whose 200 is never ACKed (reflection: the victim must receive nothing), forged RTP (PCMA and
 * RFC 4733 digit 1) into random ports of the server's RTP range (hijack/injection), and idle TCP
 * connections that never send a byte (the server must close them). Counts what it sent and what the
 * victim received; all on 127.0.0.x.
 */
import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import net from 'node:net';

export interface FuzzTargets {
  sipPort: number;
  rtpMin: number;
  rtpMax: number;
}

const tag = (): string => randomBytes(5).toString('hex');
const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)] as T;

function request(method: string, port: number, localPort: number, extra: string[], body = ''): string {
  return [
    `${method} sip:12345@127.0.0.1:${String(port)} SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.4:${String(localPort)};branch=z9hG4bK${tag()};rport`,
    `From: <sip:fuzz${tag()}@127.0.0.4>;tag=${tag()}`,
    'To: <sip:12345@127.0.0.1>',
    `Call-ID: fuzz-${tag()}@127.0.0.4`,
    `CSeq: 1 ${method}`,
    'Max-Forwards: 70',
    ...extra,
    `Content-Length: ${String(Buffer.byteLength(body))}`,
    '',
    body,
  ].join('\r\n');
}

/** The malformed shapes, one generator each. */
function malformed(port: number, localPort: number): Buffer[] {
  const long = (n: number, unit: string): string => unit.repeat(Math.ceil(n / unit.length)).slice(0, n);
  const shapes: (() => string | Buffer)[] = [
    () => request('REGISTER', port, localPort, [`Authorization: Digest username="${long(60_000, 'a')}", realm="x", nonce="y", uri="sip:x", response="z"`]),
    () => request('OPTIONS', port, localPort, [`Proxy-Authorization: Digest ${long(20_000, 'a=b, ')}`]),
    () => request('OPTIONS', port, localPort, [`WWW-Authenticate: Digest realm="${long(9000, '\\"')}"`]),
    () => request('OPTIONS', port, localPort, [`Authentication-Info: ${long(30_000, 'nextnonce="x",')}`]),
    () => request('OPTIONS', port, localPort, Array.from({ length: 400 }, (_, i) => `X-H${String(i)}: ${long(50, 'v')}`)),
    () => request('OPTIONS', port, localPort, [`Contact: ${long(8000, '<sip:a@b;x="<')}`]),
    () => request('OPTIONS', port, localPort, [`Via: ${long(8000, 'SIP/2.0/UDP a;b=c,')}`]),
    () => request('INVITE', port, localPort, ['Content-Type: application/sdp'], `v=0\r\n${long(20_000, 'a=x:')}\r\n`),
    () => request('OPTIONS', port, localPort, ['X-Nul: a\u0000b', 'X-Bin: \u00ff\u00fe\u00fd']),
    () => request('OPTIONS', port, localPort, []).slice(0, 40 + Math.floor(Math.random() * 200)),
    () => randomBytes(50 + Math.floor(Math.random() * 1400)),
    () => {
      const b = Buffer.from(request('INVITE', port, localPort, ['Content-Type: application/sdp'], 'v=0\r\no=- 1 1 IN IP4 127.0.0.4\r\ns=-\r\nc=IN IP4 127.0.0.4\r\nt=0 0\r\nm=audio 9 RTP/AVP 0\r\n'));
      for (let i = 0; i < 6; i += 1) b[Math.floor(Math.random() * b.length)] = Math.floor(Math.random() * 256);
      return b;
    },
  ];
  return [Buffer.from(pick(shapes)() as string), Buffer.from(pick(shapes)() as string)];
}

function rtpPacket(pt: number, ssrc: number, seq: number, payload: Buffer): Buffer {
  const header = Buffer.alloc(12);
  header[0] = 0x80;
  header[1] = pt & 0x7f;
  header.writeUInt16BE(seq & 0xffff, 2);
  header.writeUInt32BE((seq * 160) >>> 0, 4);
  header.writeUInt32BE(ssrc >>> 0, 8);
  return Buffer.concat([header, payload]);
}

export class FuzzTraffic {
  victimBytes = 0;
  private sent = { sip: 0, invites: 0, rtp: 0, tcpOpened: 0, tcpClosedByServer: 0 };
  private readonly sip: Socket = createSocket('udp4');
  private readonly rtp: Socket = createSocket('udp4');
  private readonly victim: Socket = createSocket('udp4');
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly sockets = new Set<net.Socket>();
  private started = false;
  private seq = 0;

  constructor(private readonly targets: FuzzTargets) {
    for (const s of [this.sip, this.rtp, this.victim]) s.on('error', () => undefined);
    this.victim.on('message', (msg) => { this.victimBytes += msg.length; });
    // Answers to the never-ACKed INVITEs are read and dropped (no ACK is the point).
    this.sip.on('message', () => undefined);
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.sip.bind(0, '127.0.0.4', () => {
      const localPort = this.sip.address().port;
      this.timers.push(setInterval(() => { this.malformedBurst(localPort); }, 100));
      this.timers.push(setInterval(() => { this.reflectionInvite(localPort); }, 2000));
    });
    this.rtp.bind(0, '127.0.0.5', () => {
      this.timers.push(setInterval(() => { this.forgedRtp(); }, 20));
    });
    this.victim.bind(0, '127.0.0.3');
    this.timers.push(setInterval(() => { this.idleTcp(); }, 10_000));
  }

  stop(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers.length = 0;
    for (const s of this.sockets) s.destroy();
    if (!this.started) return;
    this.started = false;
    // The victim keeps listening until the process ends: late reflected packets still count.
    this.sip.close();
    this.rtp.close();
  }

  summary(): string {
    const s = this.sent;
    return `${String(s.sip)} malformed/oversized SIP datagrams, ${String(s.invites)} never-ACKed INVITEs aimed at a victim, ` +
      `${String(s.rtp)} forged RTP packets, ${String(s.tcpOpened)} idle TCP connections (${String(s.tcpClosedByServer)} closed by the server)`;
  }

  private malformedBurst(localPort: number): void {
    for (const b of malformed(this.targets.sipPort, localPort)) {
      if (b.length > 65_000) continue;
      this.sip.send(b, this.targets.sipPort, '127.0.0.1');
      this.sent.sip += 1;
    }
  }

  private reflectionInvite(localPort: number): void {
    const victimPort = this.victim.address().port;
    const sdp = `v=0\r\no=- 1 1 IN IP4 127.0.0.3\r\ns=-\r\nc=IN IP4 127.0.0.3\r\nt=0 0\r\nm=audio ${String(victimPort)} RTP/AVP 0 8 101\r\na=rtpmap:101 telephone-event/8000\r\n`;
    this.sip.send(request('INVITE', this.targets.sipPort, localPort, [`Contact: <sip:v@127.0.0.4:${String(localPort)}>`, 'Content-Type: application/sdp'], sdp), this.targets.sipPort, '127.0.0.1');
    this.sent.invites += 1;
  }

  private forgedRtp(): void {
    const span = (this.targets.rtpMax - this.targets.rtpMin + 1) >> 1;
    for (let i = 0; i < 2; i += 1) {
      const port = this.targets.rtpMin + 2 * Math.floor(Math.random() * span);
      this.seq += 1;
      const packet = Math.random() < 0.5
        ? rtpPacket(8, 0x5eed, this.seq, Buffer.alloc(160, 0xd5))
        : rtpPacket(101, 0x5eed, this.seq, Buffer.from([1, 0x8a, 0x03, 0x20]));
      this.rtp.send(packet, port, '127.0.0.1');
      this.sent.rtp += 1;
    }
  }

  private idleTcp(): void {
    if (this.sockets.size >= 200) return;
    for (let i = 0; i < 5; i += 1) {
      const socket = net.connect({ port: this.targets.sipPort, host: '127.0.0.1', localAddress: '127.0.0.6' });
      this.sent.tcpOpened += 1;
      this.sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => {
        if (this.sockets.delete(socket) && this.started) this.sent.tcpClosedByServer += 1;
      });
    }
  }
}
