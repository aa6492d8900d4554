import { createHash, randomBytes } from 'node:crypto';
import { stringify, type SipMessage } from 'sip';
import type { SipCredentialStore } from '../../../src/telephony/call-leg.js';
import { status, type RawSipClient } from './raw-sip-client.js';

/** Helpers for a raw client acting as a phone: REGISTER with digest, answering our INVITEs. */
export const md5 = (s: string): string => createHash('md5').update(s).digest('hex');
const rand = (): string => randomBytes(5).toString('hex');

export const REALM = 'hotline.test';

/** Plain passwords by user; HA1 computed on lookup. */
export class MemoryCredentials implements SipCredentialStore {
  constructor(private readonly passwords: Record<string, string>) {}

  findHa1(username: string, realm: string): Promise<string | undefined> {
    const password = this.passwords[username];
    return Promise.resolve(password === undefined ? undefined : md5(`${username}:${realm}:${password}`));
  }
}

/** Reads `name="value"` / `name=value` pairs of an auth header as the raw client received it. */
export function authParams(header: unknown): Record<string, string> {
  const first: unknown = Array.isArray(header) ? header[0] : header;
  const out: Record<string, string> = {};
  if (typeof first !== 'object' || first === null) return out;
  for (const [k, v] of Object.entries(first as Record<string, unknown>)) {
    if (typeof v === 'string') out[k] = v.replace(/^"|"$/g, '');
  }
  return out;
}

export interface RegisterOptions {
  user: string;
  password: string;
  expires?: number;
  callId?: string;
  contactStar?: boolean;
  /** Contact header parameters after the URI, e.g. `;+sip.ice` (a browser phone). */
  contactParams?: string;
}

/** One REGISTER dialogue (Call-ID and CSeq kept across calls, as a phone does). */
export class Registration {
  readonly callId = `${rand()}@phone`;
  readonly fromTag = rand();
  cseq = 0;

  constructor(
    private readonly client: RawSipClient,
    private readonly serverPort: number,
  ) {}

  build(options: RegisterOptions, authorization?: string): string {
    this.cseq += 1;
    const contact = options.contactStar === true ? '*' : `<sip:${options.user}@127.0.0.1:${this.client.port}>${options.contactParams ?? ''}`;
    return [
      `REGISTER sip:127.0.0.1:${this.serverPort} SIP/2.0`,
      `Via: SIP/2.0/${this.client.transport} 127.0.0.1:${this.client.port};branch=z9hG4bK${rand()};rport`,
      'Max-Forwards: 70',
      `From: <sip:${options.user}@127.0.0.1>;tag=${this.fromTag}`,
      `To: <sip:${options.user}@127.0.0.1>`,
      `Call-ID: ${this.callId}`,
      `CSeq: ${this.cseq} REGISTER`,
      `Contact: ${contact}`,
      `Expires: ${options.expires ?? 3600}`,
      ...(authorization === undefined ? [] : [`Authorization: ${authorization}`]),
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n');
  }

  /** REGISTER, then answer the 401 with digest (qop=auth): resolves with the final response. */
  async register(options: RegisterOptions): Promise<SipMessage> {
    this.client.send(this.build(options));
    const challenge = await this.client.next(status(401, 'REGISTER'));
    const c = authParams(challenge.headers['www-authenticate']);
    this.client.send(this.build(options, authorization(c, options.user, options.password, 'REGISTER', `sip:127.0.0.1:${this.serverPort}`)));
    return this.client.next((m) => m.headers.cseq?.method === 'REGISTER' && (m.status ?? 0) >= 200 && m.headers.cseq.seq === this.cseq);
  }
}

/** An Authorization value for a challenge (qop=auth when offered). */
export function authorization(c: Record<string, string>, user: string, password: string, method: string, uri: string): string {
  const ha1 = md5(`${user}:${c.realm ?? ''}:${password}`);
  const ha2 = md5(`${method}:${uri}`);
  const nonce = c.nonce ?? '';
  if (c.qop === undefined) return `Digest username="${user}", realm="${c.realm ?? ''}", nonce="${nonce}", uri="${uri}", response="${md5(`${ha1}:${nonce}:${ha2}`)}"`;
  const cnonce = rand();
  const response = md5(`${ha1}:${nonce}:00000001:${cnonce}:auth:${ha2}`);
  return `Digest username="${user}", realm="${c.realm ?? ''}", nonce="${nonce}", uri="${uri}", response="${response}", algorithm=MD5, qop=auth, nc=00000001, cnonce="${cnonce}"`;
}

/** Answers a request the engine sent us (§8.2.6): Via, From, Call-ID, CSeq copied; To tagged. */
export function respond(
  client: RawSipClient,
  req: SipMessage,
  code: number,
  reason: string,
  options: { toTag?: string; body?: string; headers?: Record<string, unknown> } = {},
): void {
  const to = req.headers.to;
  const tagged = to && options.toTag !== undefined && to.params.tag === undefined ? { ...to, params: { ...to.params, tag: options.toTag } } : to;
  const headers: Record<string, unknown> = {
    via: req.headers.via, from: req.headers.from, to: tagged, 'call-id': req.headers['call-id'], cseq: req.headers.cseq,
    ...(options.headers ?? {}),
  };
  if (options.body !== undefined) headers['content-type'] = 'application/sdp';
  client.send(stringify({ status: code, reason, version: '2.0', headers, ...(options.body === undefined ? {} : { content: options.body }) }));
}
