import { randomBytes } from 'node:crypto';
import type { SipMessage } from 'sip';
import { silentLogger } from '../../../src/logging/logger.js';
import { SipTelephony, type SipTelephonyOptions } from '../../../src/sip/sip-telephony.js';
import { FakeMediaEngine } from './fake-media.js';
import type { RawSipClient } from './raw-sip-client.js';

export const OFFER = [
  'v=0', 'o=caller 1 1 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0',
  'm=audio 40000 RTP/AVP 0 8 101', 'a=rtpmap:0 PCMU/8000', 'a=rtpmap:8 PCMA/8000',
  'a=rtpmap:101 telephone-event/8000', 'a=sendrecv', '',
].join('\r\n');

export const G729_OFFER = OFFER.replace('RTP/AVP 0 8 101', 'RTP/AVP 18').replace(/a=rtpmap:[08] .*\r\n/g, '').replace('telephone-event', 'G729');

const rand = (): string => randomBytes(5).toString('hex');

export async function startEngine(
  options: Partial<SipTelephonyOptions> = {},
  media: FakeMediaEngine = new FakeMediaEngine(),
): Promise<{ tel: SipTelephony; media: FakeMediaEngine; port: number }> {
  const tel = new SipTelephony({
    listenAddress: '127.0.0.1',
    port: 0,
    publicAddress: '127.0.0.1',
    media,
    logger: silentLogger(),
    maxCallDurationMs: 60_000,
    t1Ms: 50,
    ...options,
  });
  await tel.start();
  return { tel, media, port: tel.port };
}

/** One caller-side dialog written by hand, so tests see exactly what goes over the wire. */
export class TestCall {
  readonly callId = `${rand()}@test`;
  readonly fromTag = rand();
  inviteBranch = `z9hG4bK${rand()}`;
  toTag: string | undefined;
  cseq = 1;

  constructor(
    private readonly client: RawSipClient,
    private readonly serverPort: number,
    readonly user = '12345',
    readonly caller = '13812345678',
  ) {}

  build(method: string, options: { branch?: string; cseq?: number; cseqMethod?: string; toTag?: string | null; body?: string; contentType?: string; headers?: string[] } = {}): string {
    const t = this.client.transport;
    const body = options.body ?? '';
    const toTag = options.toTag === null ? undefined : (options.toTag ?? this.toTag);
    const lines = [
      `${method} sip:${this.user}@127.0.0.1:${this.serverPort} SIP/2.0`,
      `Via: SIP/2.0/${t} 127.0.0.1:${this.client.port};branch=${options.branch ?? `z9hG4bK${rand()}`};rport`,
      'Max-Forwards: 70',
      `From: "张三" <sip:${this.caller}@127.0.0.1>;tag=${this.fromTag}`,
      `To: <sip:${this.user}@127.0.0.1>${toTag ? `;tag=${toTag}` : ''}`,
      `Call-ID: ${this.callId}`,
      `CSeq: ${options.cseq ?? this.cseq} ${options.cseqMethod ?? method}`,
      `Contact: <sip:${this.caller}@127.0.0.1:${this.client.port}${t === 'TCP' ? ';transport=tcp' : ''}>`,
      ...(options.headers ?? []),
      ...(body ? [`Content-Type: ${options.contentType ?? 'application/sdp'}`] : []),
      `Content-Length: ${Buffer.byteLength(body)}`,
      '',
      body,
    ];
    return lines.join('\r\n');
  }

  /** INVITE with `body` as SDP offer; '' sends no body. */
  invite(body = OFFER): void {
    this.client.send(this.build('INVITE', { branch: this.inviteBranch, toTag: null, body }));
  }

  /** Remembers the To tag of a response to our INVITE. */
  learn(response: SipMessage): void {
    const tag = response.headers.to?.params.tag;
    if (typeof tag === 'string') this.toTag = tag;
  }

  ack(body?: string): void {
    this.client.send(this.build('ACK', { ...(body === undefined ? {} : { body }) }));
  }

  /** ACK for a non-2xx final: same branch as the INVITE (§17.1.1.3). */
  ackFailure(): void {
    this.client.send(this.build('ACK', { branch: this.inviteBranch }));
  }

  cancel(): void {
    this.client.send(this.build('CANCEL', { branch: this.inviteBranch, toTag: null }));
  }

  next(method: string, options: Parameters<TestCall['build']>[1] = {}): void {
    this.cseq += 1;
    this.client.send(this.build(method, options));
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
