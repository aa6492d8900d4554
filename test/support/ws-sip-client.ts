/**
 * A small SIP-over-WebSocket user agent for tests (RFC 7118), as a browser phone behaves: it opens
 * ws://…/sip with subprotocol `sip`, registers with a `.invalid` Contact host (it has no address one could
 * reach), answers digest challenges, and answers INVITEs with a plain RTP SDP offer of its own UDP port.
 * Built on `ws` and the engine's own serializer and parser, one message per text frame.
 */
import { randomBytes } from 'node:crypto';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { parse, type SipMessage, type SipOutgoingMessage } from 'sip';
import { WebSocket } from 'ws';
import { linearToUlaw } from '../../src/media/g711.js';
import { authorizationFor, digestParams } from '../../src/sip/digest-auth.js';
import { serializeSipMessage } from '../../src/sip/sip-serializer.js';
import { MessageInbox } from './message-inbox.js';

const hex = (n: number): string => randomBytes(n).toString('hex');

export interface WsSipClientOptions {
  /** ws://127.0.0.1:<port>/sip */
  readonly url: string;
  readonly user: string;
  readonly password: string;
  /** Registrar domain (the server's address). */
  readonly domain: string;
  /** Subprotocols offered; default ['sip']. */
  readonly protocols?: readonly string[];
}

export class WsSipClient {
  private readonly inbox = new MessageInbox<SipMessage>();
  /** RTP packets received on the answered call's media port. */
  rtpPackets = 0;
  private readonly host = `${hex(5)}.invalid`;
  private readonly instance = `<urn:uuid:${hex(4)}-${hex(2)}-${hex(2)}-${hex(2)}-${hex(6)}>`;
  private readonly registerCallId = hex(10);
  private readonly registerTag = hex(6);
  private cseq = 1;
  private rtp: UdpSocket | undefined;
  private talking: NodeJS.Timeout | undefined;
  private autoAnswer = false;
  private ringOnly = false;
  /** INVITEs rung and not answered, by Call-ID, with the To tag of their 180 (for the 487). */
  private readonly ringing = new Map<string, { invite: SipMessage; tag: string }>();
  readonly closed: Promise<{ code: number }>;

  private constructor(
    private readonly ws: WebSocket,
    private readonly options: WsSipClientOptions,
  ) {
    ws.on('message', (data: Buffer) => {
      const text = data.toString('latin1');
      if (/^(\r\n)+$/.test(text)) return;
      const m = parse(text);
      if (!m) return;
      if (m.method !== undefined) this.onRequest(m);
      this.inbox.push(m);
    });
    this.closed = new Promise((resolve) => {
      ws.once('close', (code) => {
        resolve({ code });
      });
    });
  }

  static connect(options: WsSipClientOptions): Promise<WsSipClient> {
    const ws = new WebSocket(options.url, [...(options.protocols ?? ['sip'])]);
    return new Promise((resolve, reject) => {
      ws.once('open', () => {
        resolve(new WsSipClient(ws, options));
      });
      ws.once('unexpected-response', (_req, res) => {
        reject(new Error(`upgrade refused: ${String(res.statusCode)}`));
      });
      ws.once('error', reject);
    });
  }

  /** The subprotocol the server chose. */
  get protocol(): string {
    return this.ws.protocol;
  }

  /** Answers every INVITE from now on: 180, then 200 with a PCMU offer on a UDP port of its own. */
  answerCalls(): void {
    this.autoAnswer = true;
  }

  /** Rings on every INVITE from now on (180) and never answers: a CANCEL gets 200 and the INVITE 487 (RFC 3261 §9.2). */
  ringCalls(): void {
    this.ringOnly = true;
  }

  /**
   * A REGISTER without Contact (§10.2.3): the 200 lists the bindings of the user. Sent with digest
   * credentials, on a Call-ID of its own. Resolves with the Contact header text ('' when none).
   */
  async queryBindings(): Promise<string> {
    const res = await this.register(0, true);
    if (res.status !== 200) throw new Error(`query answered ${res.status}`);
    const contact = res.headers.contact;
    return Array.isArray(contact) ? contact.map((c) => c.uri).join(',') : '';
  }

  /** REGISTER (RFC 3261 §10.2) with outbound's reg-id and instance (RFC 5626); answers one 401. Resolves with the final response. */
  async register(expires = 600, query = false): Promise<SipMessage> {
    const send = (authorization?: string): Promise<SipMessage> => {
      const branch = `z9hG4bK${hex(8)}`;
      const uri = `sip:${this.options.domain}`;
      this.send({
        method: 'REGISTER',
        uri,
        version: '2.0',
        headers: {
          via: `SIP/2.0/WS ${this.host};branch=${branch};rport`,
          'max-forwards': '70',
          to: `<sip:${this.options.user}@${this.options.domain}>`,
          from: `<sip:${this.options.user}@${this.options.domain}>;tag=${this.registerTag}`,
          'call-id': this.registerCallId,
          cseq: `${this.cseq++} REGISTER`,
          ...(query
            ? {}
            : { contact: `<sip:${this.options.user}@${this.host};transport=ws>;+sip.instance="${this.instance}";reg-id=1;expires=${expires}` }),
          supported: 'path, outbound, gruu',
          ...(authorization === undefined ? {} : { authorization }),
        },
      });
      return this.next((m) => m.status !== undefined && m.status >= 200 && viaBranch(m) === branch, 5000);
    };
    const first = await send();
    if (first.status !== 401) return first;
    const challenge = digestParams(first.headers['www-authenticate']?.[0]);
    const authorization = challenge && authorizationFor(challenge, { user: this.options.user, password: this.options.password }, 'REGISTER', `sip:${this.options.domain}`);
    if (authorization === undefined) throw new Error('no usable digest challenge');
    return send(authorization);
  }

  /**
   * Calls `number` at the server (INVITE with a PCMU offer on a UDP port of its own), ACKs the 200
   * (RFC 3261 §13.2.2.4) and resolves with a function that hangs up with BYE and resolves with its
   * final status.
   */
  async call(number: string): Promise<{ status: number; hangup: () => Promise<number>; info: (digit: string) => Promise<number> }> {
    const rtp = createSocket('udp4');
    await new Promise<void>((resolve) => rtp.bind(0, '127.0.0.1', resolve));
    rtp.on('message', () => {
      this.rtpPackets++;
    });
    this.rtp?.close();
    this.rtp = rtp;
    const callId = hex(10);
    const from = `<sip:${this.options.user}@${this.options.domain}>;tag=${hex(6)}`;
    const uri = `sip:${number}@${this.options.domain}`;
    const branch = `z9hG4bK${hex(8)}`;
    const sdp = ['v=0', `o=- ${Date.now()} 1 IN IP4 127.0.0.1`, 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', `m=audio ${rtp.address().port} RTP/AVP 0 101`,
      'a=rtpmap:0 PCMU/8000', 'a=rtpmap:101 telephone-event/8000', 'a=sendrecv', ''].join('\r\n');
    const base = (method: string, seq: number, via: string): Record<string, string> => ({
      via: `SIP/2.0/WS ${this.host};branch=${via};rport`, 'max-forwards': '70', from, 'call-id': callId, cseq: `${seq} ${method}`,
    });
    this.send({
      method: 'INVITE', uri, version: '2.0',
      headers: { ...base('INVITE', 1, branch), to: `<${uri}>`, contact: `<sip:${this.options.user}@${this.host};transport=ws>`, 'content-type': 'application/sdp' },
      content: sdp,
    });
    const final = await this.next((m) => m.status !== undefined && m.status >= 200 && viaBranch(m) === branch, 10_000);
    const to = final.headers.to;
    const contact = final.headers.contact;
    const target = Array.isArray(contact) && contact[0] !== undefined ? contact[0].uri : uri;
    const inDialog = (method: string, seq: number, via: string): SipOutgoingMessage => ({
      method, uri: target, version: '2.0', headers: { ...base(method, seq, via), to },
    });
    if (final.status === 200) this.send(inDialog('ACK', 1, `z9hG4bK${hex(8)}`));
    let seq = 1;
    return {
      status: final.status ?? 0,
      // A key press as SIP INFO (application/dtmf-relay, what a browser without RTCDTMFSender sends).
      info: async (digit: string) => {
        const infoBranch = `z9hG4bK${hex(8)}`;
        seq += 1;
        const info = inDialog('INFO', seq, infoBranch);
        this.send({ ...info, headers: { ...info.headers, 'content-type': 'application/dtmf-relay' }, content: `Signal=${digit}\r\nDuration=160\r\n` });
        return (await this.next((m) => m.status !== undefined && viaBranch(m) === infoBranch, 5000)).status ?? 0;
      },
      hangup: async () => {
        const byeBranch = `z9hG4bK${hex(8)}`;
        seq += 1;
        this.send(inDialog('BYE', seq, byeBranch));
        return (await this.next((m) => m.status !== undefined && viaBranch(m) === byeBranch, 5000)).status ?? 0;
      },
    };
  }

  /** Sends one message as one text frame. */
  send(message: SipOutgoingMessage): void {
    this.ws.send(Buffer.from(serializeSipMessage(message), 'latin1'), { binary: false });
  }

  sendRaw(text: string): void {
    this.ws.send(text);
  }

  /** Everything received, in order. */
  get received(): readonly SipMessage[] {
    return this.inbox.received;
  }

  /** The next not-yet-consumed message matching `match`, waiting up to `timeoutMs`. */
  next(match: (m: SipMessage) => boolean, timeoutMs = 5000): Promise<SipMessage> {
    return this.inbox.next(match, timeoutMs, 'a SIP message over the websocket');
  }

  /** Closes the WebSocket as a tab would (close frame). */
  async close(): Promise<void> {
    this.stopMedia();
    this.rtp?.close();
    this.rtp = undefined;
    if (this.ws.readyState === WebSocket.OPEN) this.ws.close(1000);
    await this.closed;
  }

  /** Drops the TCP connection without a close frame (a network loss). */
  terminate(): void {
    this.stopMedia();
    this.ws.terminate();
  }

  private onRequest(m: SipMessage): void {
    const callId = String(m.headers['call-id']);
    if (m.method === 'INVITE' && this.autoAnswer) {
      void this.answer(m);
      return;
    }
    if (m.method === 'INVITE' && this.ringOnly) {
      const tag = hex(6);
      this.ringing.set(callId, { invite: m, tag });
      this.respond(m, 180, 'Ringing', { tag });
      return;
    }
    if (m.method === 'CANCEL') {
      const rung = this.ringing.get(callId);
      this.respond(m, rung === undefined ? 481 : 200, rung === undefined ? 'Call/Transaction Does Not Exist' : 'OK');
      if (rung !== undefined) {
        this.ringing.delete(callId);
        this.respond(rung.invite, 487, 'Request Terminated', { tag: rung.tag });
      }
      return;
    }
    if (m.method === 'BYE') this.stopMedia();
    if (m.method === 'BYE' || m.method === 'INFO' || m.method === 'OPTIONS') this.respond(m, 200, 'OK');
  }

  private async answer(invite: SipMessage): Promise<void> {
    const tag = hex(6);
    this.respond(invite, 180, 'Ringing', { tag });
    const rtp = createSocket('udp4');
    await new Promise<void>((resolve) => rtp.bind(0, '127.0.0.1', resolve));
    rtp.on('message', () => {
      this.rtpPackets++;
    });
    this.rtp?.close();
    this.rtp = rtp;
    const port = rtp.address().port;
    const sdp = ['v=0', `o=- ${Date.now()} 1 IN IP4 127.0.0.1`, 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', `m=audio ${port} RTP/AVP 0 101`,
      'a=rtpmap:0 PCMU/8000', 'a=rtpmap:101 telephone-event/8000', 'a=sendrecv', ''].join('\r\n');
    this.respond(invite, 200, 'OK', { tag, contact: `<sip:${this.options.user}@${this.host};transport=ws>`, sdp });
    const offer = invite.content ?? '';
    const remotePort = Number(/^m=audio (\d+)/m.exec(offer)?.[1]);
    const remoteHost = /^c=IN IP4 (\S+)/m.exec(offer)?.[1];
    if (remoteHost !== undefined && remotePort > 0) this.talk(rtp, remoteHost, remotePort);
  }

  /** Sends a 660 Hz PCMU tone every 20 ms (RFC 3550 packets) until the call ends: the agent's voice. */
  private talk(rtp: UdpSocket, host: string, port: number): void {
    this.stopMedia();
    const ssrc = randomBytes(4).readUInt32BE(0);
    let seq = 0;
    let ts = 0;
    this.talking = setInterval(() => {
      const packet = Buffer.alloc(12 + 160);
      packet[0] = 0x80;
      packet[1] = 0;
      packet.writeUInt16BE(seq++ & 0xffff, 2);
      packet.writeUInt32BE(ts >>> 0, 4);
      packet.writeUInt32BE(ssrc, 8);
      for (let i = 0; i < 160; i++) packet[12 + i] = linearToUlaw(Math.round(8000 * Math.sin((2 * Math.PI * 660 * (ts + i)) / 8000)));
      ts += 160;
      rtp.send(packet, port, host);
    }, 20);
  }

  private stopMedia(): void {
    clearInterval(this.talking);
    this.talking = undefined;
  }

  private respond(req: SipMessage, status: number, reason: string, extra: { tag?: string; contact?: string; sdp?: string } = {}): void {
    const to = req.headers.to;
    const headers: Record<string, unknown> = {
      via: req.headers.via,
      from: req.headers.from,
      to: extra.tag === undefined || to?.params.tag !== undefined ? to : { ...to, params: { ...to?.params, tag: extra.tag } },
      'call-id': req.headers['call-id'],
      cseq: req.headers.cseq,
    };
    if (extra.contact !== undefined) headers.contact = extra.contact;
    if (extra.sdp !== undefined) headers['content-type'] = 'application/sdp';
    this.send({ status, reason, version: '2.0', headers, ...(extra.sdp === undefined ? {} : { content: extra.sdp }) });
  }
}

function viaBranch(m: SipMessage): string | undefined {
  const branch = m.headers.via?.[0]?.params.branch;
  return typeof branch === 'string' ? branch : undefined;
}

export const isRequest = (method: string) => (m: SipMessage): boolean => m.method === method;
