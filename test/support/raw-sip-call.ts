/**
 * A caller built on two plain UDP sockets (SIP and RTP), for tests that need what sipp cannot give:
 * the exact moment of the ACK (or none), the server's RTP port from its answer, and every RTP packet
 * the caller receives. One call per instance, IP literals only.
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { encodeRtp, parseRtp, type RtpPacket } from '../../src/media/rtp-packet.js';

export interface SipReply {
  status: number;
  text: string;
}

export interface RawSipCallOptions {
  serverPort: number;
  /** What the SDP's c= line names (default: our own RTP socket's address, 127.0.0.1). */
  sdpAddress?: string;
  /** What the SDP's m= line names (default: our own RTP port). */
  sdpPort?: number;
  /** The caller's number (From user). */
  from?: string;
  /** The m= line's profile (default RTP/AVP), e.g. RTP/SAVP with `sdpAttributes` carrying a=crypto. */
  sdpProfile?: string;
  /** More media-level lines, e.g. `a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:…`. */
  sdpAttributes?: readonly string[];
}

export class RawSipCall {
  readonly callId = `${randomBytes(8).toString('hex')}@127.0.0.1`;
  readonly rtpReceived: RtpPacket[] = [];
  readonly replies: SipReply[] = [];
  private readonly fromTag = randomBytes(4).toString('hex');
  private toTag: string | undefined;
  private serverRtpPort: number | undefined;
  private byeSeen = false;
  private waiters: (() => void)[] = [];

  private constructor(
    private readonly sip: Socket,
    private readonly rtp: Socket,
    private readonly options: RawSipCallOptions,
  ) {
    sip.on('message', (msg, rinfo) => {
      this.onSip(msg.toString('utf8'), rinfo);
    });
    rtp.on('message', (msg) => {
      const p = parseRtp(msg);
      if (p) this.rtpReceived.push({ ...p, payload: Buffer.from(p.payload) });
    });
  }

  static async open(options: RawSipCallOptions): Promise<RawSipCall> {
    const sip = createSocket('udp4');
    const rtp = createSocket('udp4');
    sip.bind(0, '127.0.0.1');
    rtp.bind(0, '127.0.0.1');
    await Promise.all([once(sip, 'listening'), once(rtp, 'listening')]);
    return new RawSipCall(sip, rtp, options);
  }

  get rtpPort(): number {
    return this.rtp.address().port;
  }

  /** The server's RTP port from its 200 OK, once answered. */
  get serverMediaPort(): number | undefined {
    return this.serverRtpPort;
  }

  get hungUpByServer(): boolean {
    return this.byeSeen;
  }

  /** Sends the INVITE; resolves with the first final response (or rejects after timeoutMs). */
  async invite(timeoutMs = 5000): Promise<SipReply> {
    const sdpAddress = this.options.sdpAddress ?? '127.0.0.1';
    const sdp = [
      'v=0', `o=raw 1 1 IN IP4 127.0.0.1`, 's=-', `c=IN IP4 ${sdpAddress}`, 't=0 0',
      `m=audio ${this.options.sdpPort ?? this.rtpPort} ${this.options.sdpProfile ?? 'RTP/AVP'} 0 101`, 'a=rtpmap:0 PCMU/8000',
      'a=rtpmap:101 telephone-event/8000', 'a=fmtp:101 0-16', ...(this.options.sdpAttributes ?? []), 'a=sendrecv', '',
    ].join('\r\n');
    this.sendSip('INVITE', 1, sdp, 'z9hG4bK-inv-' + this.fromTag);
    await this.until(() => this.replies.some((r) => r.status >= 200), timeoutMs, 'a final response to the INVITE');
    const final = this.replies.find((r) => r.status >= 200);
    if (final === undefined) throw new Error('no final response');
    return final;
  }

  ack(): void {
    this.sendSip('ACK', 1, '', 'z9hG4bK-ack-' + this.fromTag);
  }

  /** One RTP packet from our RTP socket to the server's RTP port. */
  sendRtp(packet: Partial<RtpPacket> & { payload: Buffer }): void {
    const port = this.serverRtpPort;
    if (port === undefined) throw new Error('not answered');
    this.rtp.send(encodeRtp({ payloadType: 0, marker: false, sequenceNumber: 1, timestamp: 1, ssrc: 0x1111, ...packet }), port, '127.0.0.1');
  }

  /** Hangs up (BYE, CSeq 2) and resolves on the server's 200 to it. */
  async bye(timeoutMs = 5000): Promise<void> {
    this.sendSip('BYE', 2, '', 'z9hG4bK-bye-' + this.fromTag);
    await this.until(() => this.replies.some((r) => r.status === 200 && /CSeq:\s*2 BYE/i.test(r.text)), timeoutMs, 'the 200 to our BYE');
  }

  /** Resolves when the server sent BYE (answered 200 by us). */
  waitForBye(timeoutMs: number): Promise<void> {
    return this.until(() => this.byeSeen, timeoutMs, 'the server\'s BYE');
  }

  close(): void {
    this.sip.close();
    this.rtp.close();
  }

  private until(done: () => boolean, timeoutMs: number, what: string): Promise<void> {
    if (done()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`timed out waiting for ${what}`));
      }, timeoutMs);
      const check = (): void => {
        if (!done()) return;
        clearTimeout(timer);
        this.waiters = this.waiters.filter((w) => w !== check);
        resolve();
      };
      this.waiters.push(check);
    });
  }

  private onSip(text: string, rinfo: RemoteInfo): void {
    const status = /^SIP\/2\.0 (\d{3})/.exec(text);
    if (status?.[1] !== undefined) {
      const reply = { status: Number(status[1]), text };
      this.replies.push(reply);
      if (reply.status === 200 && /CSeq:\s*1 INVITE/i.test(text)) {
        this.toTag = /^To:.*;tag=([^;\s]+)/im.exec(text)?.[1];
        const m = /^m=audio (\d+)/m.exec(text)?.[1];
        if (m !== undefined) this.serverRtpPort = Number(m);
      }
    } else if (text.startsWith('BYE ')) {
      this.byeSeen = true;
      const headers = text.split('\r\n').filter((l) => /^(Via|From|To|Call-ID|CSeq):/i.test(l));
      this.sip.send(['SIP/2.0 200 OK', ...headers, 'Content-Length: 0', '', ''].join('\r\n'), rinfo.port, rinfo.address);
    }
    for (const w of [...this.waiters]) w();
  }

  private sendSip(method: 'INVITE' | 'ACK' | 'BYE', cseq: number, body: string, branch: string): void {
    const server = `127.0.0.1:${this.options.serverPort}`;
    const local = `127.0.0.1:${this.sip.address().port}`;
    const lines = [
      `${method} sip:12345@${server} SIP/2.0`,
      `Via: SIP/2.0/UDP ${local};branch=${branch};rport`,
      `From: <sip:${this.options.from ?? '13800000001'}@127.0.0.1>;tag=${this.fromTag}`,
      `To: <sip:12345@127.0.0.1>${this.toTag !== undefined && method !== 'INVITE' ? `;tag=${this.toTag}` : ''}`,
      `Call-ID: ${this.callId}`,
      `CSeq: ${cseq} ${method}`,
      `Contact: <sip:caller@${local}>`,
      'Max-Forwards: 70',
    ];
    if (body.length > 0) lines.push('Content-Type: application/sdp');
    lines.push(`Content-Length: ${Buffer.byteLength(body)}`, '', body);
    this.sip.send(lines.join('\r\n'), this.options.serverPort, '127.0.0.1');
  }
}
