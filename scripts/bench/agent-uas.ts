/**
 * The agents' phones for the ACD benchmark: one UDP socket registering many extensions with digest
 * auth (RFC 3261 §22.4, RFC 2617 with or without qop=auth), answering every INVITE with 200 after
 * `answerDelayMs`, hanging up (BYE) `talkMs` after the ACK, and noting when each INVITE arrived.
 * Just enough SIP for 127.0.0.1: no retransmission of our requests beyond a simple retry.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';

export interface AgentInvite {
  /** Extension from the Request-URI user. */
  extension: string;
  /** User part of From: the caller's number as the server presents it. */
  fromUser: string;
  /** Date.now() when the INVITE arrived. */
  at: number;
  callId: string;
}

interface Message {
  startLine: string;
  headers: Map<string, string[]>;
  body: string;
}

function parse(text: string): Message | undefined {
  const split = text.indexOf('\r\n\r\n');
  if (split < 0) return undefined;
  const lines = text.slice(0, split).split('\r\n');
  const headers = new Map<string, string[]>();
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const canonical = ({ v: 'via', f: 'from', t: 'to', i: 'call-id', m: 'contact', l: 'content-length' } as Record<string, string>)[name] ?? name;
    headers.set(canonical, [...(headers.get(canonical) ?? []), line.slice(colon + 1).trim()]);
  }
  return { startLine: lines[0] ?? '', headers, body: text.slice(split + 4) };
}

const md5 = (s: string): string => createHash('md5').update(s).digest('hex');
const h = (m: Message, name: string): string => m.headers.get(name)?.[0] ?? '';
const tag = (): string => randomBytes(6).toString('hex');

function digestParam(header: string, name: string): string | undefined {
  return new RegExp(`${name}="?([^",]+)"?`, 'i').exec(header)?.[1];
}

interface Dialog {
  extension: string;
  callId: string;
  localTag: string;
  /** The INVITE's From (with the server's tag): our BYE's To. */
  remote: string;
  /** The INVITE's To: our BYE's From (we add localTag). */
  local: string;
  remoteTarget: string;
  response: string;
  acked: boolean;
  timers: NodeJS.Timeout[];
}

export interface AgentUasOptions {
  serverPort: number;
  realm: string;
  answerDelayMs: number;
  talkMs: number;
}

export class AgentUas {
  readonly invites: AgentInvite[] = [];
  private readonly socket: Socket = createSocket('udp4');
  private port = 0;
  private readonly pendingRegs = new Map<string, (status: number, msg: Message) => void>();
  private readonly dialogs = new Map<string, Dialog>();
  private cseq = 1;
  private readonly listeners: ((invite: AgentInvite) => void)[] = [];

  constructor(private readonly options: AgentUasOptions) {}

  async start(): Promise<number> {
    this.socket.on('message', (buf) => {
      this.onMessage(buf.toString('utf8'));
    });
    await new Promise<void>((resolve) => this.socket.bind(0, '127.0.0.1', resolve));
    this.port = this.socket.address().port;
    return this.port;
  }

  onInviteArrived(listener: (invite: AgentInvite) => void): void {
    this.listeners.push(listener);
  }

  /** REGISTER with digest: the first attempt gets the 401 challenge, the second carries Authorization. */
  async register(extension: string, password: string, timeoutMs = 5000): Promise<void> {
    const callId = `reg-${extension}-${tag()}`;
    const uri = `sip:127.0.0.1:${this.options.serverPort}`;
    const send = (authorization?: string): Promise<{ status: number; msg: Message }> =>
      new Promise((resolve, reject) => {
        const cseq = this.cseq++;
        const key = `${callId}/${cseq}`;
        const timer = setTimeout(() => {
          this.pendingRegs.delete(key);
          reject(new Error(`REGISTER ${extension}: no answer in ${timeoutMs} ms`));
        }, timeoutMs);
        this.pendingRegs.set(key, (status, msg) => {
          if (status < 200) return;
          clearTimeout(timer);
          this.pendingRegs.delete(key);
          resolve({ status, msg });
        });
        this.send(
          [
            `REGISTER ${uri} SIP/2.0`,
            `Via: SIP/2.0/UDP 127.0.0.1:${this.port};branch=z9hG4bK${tag()};rport`,
            `From: <sip:${extension}@127.0.0.1>;tag=${tag()}`,
            `To: <sip:${extension}@127.0.0.1>`,
            `Call-ID: ${callId}`,
            `CSeq: ${cseq} REGISTER`,
            `Contact: <sip:${extension}@127.0.0.1:${this.port}>`,
            'Expires: 600',
            'Max-Forwards: 70',
            ...(authorization === undefined ? [] : [`Authorization: ${authorization}`]),
            'Content-Length: 0',
          ],
          '',
        );
      });
    const first = await send();
    if (first.status === 200) return;
    const challenge = h(first.msg, 'www-authenticate');
    if (first.status !== 401 || challenge === '') throw new Error(`REGISTER ${extension}: ${first.status} without a challenge`);
    const realm = digestParam(challenge, 'realm') ?? this.options.realm;
    const nonce = digestParam(challenge, 'nonce') ?? '';
    const opaque = digestParam(challenge, 'opaque');
    const qop = digestParam(challenge, 'qop')?.split(',').map((q) => q.trim()).includes('auth') === true ? 'auth' : undefined;
    const ha1 = md5(`${extension}:${realm}:${password}`);
    const ha2 = md5(`REGISTER:${uri}`);
    const cnonce = tag();
    const nc = '00000001';
    const response = qop === undefined ? md5(`${ha1}:${nonce}:${ha2}`) : md5(`${ha1}:${nonce}:${nc}:${cnonce}:${qop}:${ha2}`);
    const auth =
      `Digest username="${extension}", realm="${realm}", nonce="${nonce}", uri="${uri}", response="${response}", algorithm=MD5` +
      (qop === undefined ? '' : `, qop=${qop}, nc=${nc}, cnonce="${cnonce}"`) +
      (opaque === undefined ? '' : `, opaque="${opaque}"`);
    const second = await send(auth);
    if (second.status !== 200) throw new Error(`REGISTER ${extension}: ${second.status} after authenticating`);
  }

  close(): void {
    for (const d of this.dialogs.values()) for (const t of d.timers) clearTimeout(t);
    this.socket.close();
  }

  private send(lines: string[], body: string): void {
    const text = `${lines.join('\r\n').replace(/Content-Length: 0$/, `Content-Length: ${Buffer.byteLength(body)}`)}\r\n\r\n${body}`;
    this.socket.send(text, this.options.serverPort, '127.0.0.1');
  }

  private respond(req: Message, status: string, extra: string[] = [], body = '', toTag?: string): string {
    const to = toTag === undefined || h(req, 'to').includes(';tag=') ? h(req, 'to') : `${h(req, 'to')};tag=${toTag}`;
    const lines = [
      `SIP/2.0 ${status}`,
      ...(req.headers.get('via') ?? []).map((v) => `Via: ${v}`),
      `From: ${h(req, 'from')}`,
      `To: ${to}`,
      `Call-ID: ${h(req, 'call-id')}`,
      `CSeq: ${h(req, 'cseq')}`,
      ...extra,
      'Content-Length: 0',
    ];
    this.send(lines, body);
    return lines.join('\r\n');
  }

  private onMessage(text: string): void {
    const msg = parse(text);
    if (msg === undefined) return;
    if (msg.startLine.startsWith('SIP/2.0 ')) {
      const status = Number(msg.startLine.split(' ')[1]);
      const cseqNo = h(msg, 'cseq').split(' ')[0] ?? '';
      this.pendingRegs.get(`${h(msg, 'call-id')}/${cseqNo}`)?.(status, msg);
      return;
    }
    const [method, requestUri] = msg.startLine.split(' ');
    const callId = h(msg, 'call-id');
    switch (method) {
      case 'INVITE':
        this.onInvite(msg, requestUri ?? '');
        return;
      case 'ACK': {
        const d = this.dialogs.get(callId);
        if (d === undefined || d.acked) return;
        d.acked = true;
        d.timers.push(
          setTimeout(() => {
            this.bye(d);
          }, this.options.talkMs),
        );
        return;
      }
      case 'BYE': {
        this.respond(msg, '200 OK');
        const d = this.dialogs.get(callId);
        if (d) for (const t of d.timers) clearTimeout(t);
        this.dialogs.delete(callId);
        return;
      }
      case 'CANCEL': {
        this.respond(msg, '200 OK');
        const d = this.dialogs.get(callId);
        if (d) for (const t of d.timers) clearTimeout(t);
        this.dialogs.delete(callId);
        return;
      }
      default:
        this.respond(msg, '200 OK');
    }
  }

  private onInvite(msg: Message, requestUri: string): void {
    const callId = h(msg, 'call-id');
    if (this.dialogs.has(callId)) return; // a retransmission
    const extension = /^sip:([^@;]+)@/.exec(requestUri)?.[1] ?? '';
    const fromUser = /sip:([^@;>]+)@/.exec(h(msg, 'from'))?.[1] ?? '';
    const invite: AgentInvite = { extension, fromUser, at: Date.now(), callId };
    this.invites.push(invite);
    for (const l of this.listeners) l(invite);
    const localTag = tag();
    const dialog: Dialog = {
      extension,
      callId,
      localTag,
      remote: h(msg, 'from'),
      local: h(msg, 'to'),
      remoteTarget: /<([^>]+)>/.exec(h(msg, 'contact'))?.[1] ?? `sip:127.0.0.1:${this.options.serverPort}`,
      response: '',
      acked: false,
      timers: [],
    };
    this.dialogs.set(callId, dialog);
    this.respond(msg, '180 Ringing', [], '', localTag);
    const sdp = ['v=0', `o=agent 1 1 IN IP4 127.0.0.1`, 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', `m=audio ${this.port + 2} RTP/AVP 0`, 'a=rtpmap:0 PCMU/8000', 'a=sendrecv', ''].join('\r\n');
    const answer = (): void => {
      if (!this.dialogs.has(callId) || dialog.acked) return;
      this.respond(msg, '200 OK', [`Contact: <sip:${extension}@127.0.0.1:${this.port}>`, 'Content-Type: application/sdp'], sdp, localTag);
    };
    dialog.timers.push(setTimeout(answer, this.options.answerDelayMs));
    // RFC 3261 §13.3.1.4: retransmit the 2xx until the ACK comes.
    for (const extra of [500, 1500, 3500]) dialog.timers.push(setTimeout(answer, this.options.answerDelayMs + extra));
  }

  private bye(d: Dialog): void {
    this.send(
      [
        `BYE ${d.remoteTarget} SIP/2.0`,
        `Via: SIP/2.0/UDP 127.0.0.1:${this.port};branch=z9hG4bK${tag()};rport`,
        `From: ${d.local};tag=${d.localTag}`,
        `To: ${d.remote}`,
        `Call-ID: ${d.callId}`,
        'CSeq: 2 BYE',
        'Max-Forwards: 70',
        'Content-Length: 0',
      ],
      '',
    );
    for (const t of d.timers) clearTimeout(t);
    this.dialogs.delete(d.callId);
  }
}
