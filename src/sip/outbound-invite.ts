import type { SipNameAddr, SipOutgoingMessage } from 'sip';
import type { Logger } from '../logging/logger.js';
import type { RtpSession } from '../media/media-types.js';
import type { Clock, Timer } from '../shared/clock.js';
import { DialError, type DialFailure, type LegEnd } from '../telephony/call-leg.js';
import { authorizationFor, digestParams } from './digest-auth.js';
import type { InviteClientTransaction } from './invite-client-transaction.js';
import { ALLOW, SUPPORTED, bodyText, newBranch, paramString, utf8ToLatin1, type SipResponse } from './sip-message.js';
import { SipDialog, type DialogRequest } from './sip-dialog.js';
import { contactTransport, type Endpoint, type SipTimers, type TransportKind } from './sip-types.js';

/** Where and how to send the INVITE, as resolved from a DialRequest target. */
export interface InviteSpec {
  readonly requestUri: string;
  /** URI of the To header. */
  readonly toUri: string;
  readonly next: Endpoint;
  /** Answer 401/407 once with these (trunk calls only). */
  readonly credentials?: { readonly user: string; readonly password: string } | undefined;
  readonly headers: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  /** The callee is a browser phone: offer WebRTC media (see contactWantsWebRtc). */
  readonly webrtc?: boolean;
}

/** What the attempt needs from the engine. */
export interface InviteHost {
  readonly clock: Clock;
  readonly timers: SipTimers;
  readonly publicAddress: string;
  readonly port: number;
  portFor(kind: TransportKind): number;
  sendMessage(message: SipOutgoingMessage, target: Endpoint): Promise<void>;
  sendRequest(request: DialogRequest): Promise<SipResponse>;
  startInvite(
    branch: string,
    message: SipOutgoingMessage,
    target: Endpoint,
    handlers: { onResponse: (r: SipResponse) => void; onTimeout: (why: string) => void },
  ): InviteClientTransaction;
}

/** The leg the attempt reports to. */
export interface InviteOwner {
  readonly id: string;
  readonly logger: Logger;
  progress(status: number): void;
  confirmed(dialog: SipDialog): void;
  failed(error: DialError, end: LegEnd): void;
}

type CancelCause = 'no-answer' | 'cancelled';

/** RFC 3261 §21 statuses → why the call was not answered. */
export function failureOf(status: number): DialFailure {
  if (status === 486 || status === 600) return 'busy';
  if (status === 603) return 'declined';
  if (status === 404 || status === 484 || status === 604) return 'not-found';
  if (status === 480 || status === 503) return 'unavailable';
  if (status === 408) return 'no-answer';
  return 'failed';
}

/**
 * One outbound INVITE as a UAC (RFC 3261 §13.2): sends the offer, follows provisionals, answers a
 * 401/407 once with digest credentials (§22.2, CSeq+1), acknowledges the 2xx (§13.2.2.4) and every
 * retransmission of it, and CANCELs on timeout or abort (§9.1: only once a provisional arrived).
 */
export class OutboundInvite {
  private tx: InviteClientTransaction | undefined;
  private cseq = 1;
  private provisional = false;
  private cancelCause: CancelCause | undefined;
  private cancelSent = false;
  private authRetried = false;
  private done = false;
  private confirmedTag: string | undefined;
  private ack: DialogRequest | undefined;
  private timeoutTimer: Timer | undefined;
  private guardTimer: Timer | undefined;
  private readonly via: { address: string; port: number };
  private readonly onAbort = (): void => {
    this.cancel('cancelled');
  };

  constructor(
    private readonly host: InviteHost,
    private readonly owner: InviteOwner,
    private readonly spec: InviteSpec,
    private readonly from: SipNameAddr,
    private readonly session: RtpSession,
    private readonly offer: string,
    private readonly signal: AbortSignal | undefined,
  ) {
    this.via = { address: host.publicAddress, port: host.portFor(spec.next.transport) };
  }

  start(): void {
    if (this.signal?.aborted === true) {
      this.fail('cancelled', 'dial aborted before the INVITE', { reason: 'cancelled', by: 'local' });
      return;
    }
    this.signal?.addEventListener('abort', this.onAbort, { once: true });
    this.timeoutTimer = this.host.clock.setTimeout(() => {
      this.timeoutTimer = undefined;
      this.owner.logger.info('sip: no answer in time, cancelling', { timeoutMs: this.spec.timeoutMs });
      this.cancel('no-answer');
    }, this.spec.timeoutMs);
    this.send(undefined);
  }

  /** Gives up on the attempt: CANCEL once a provisional arrived, else when one does or at Timer B (§9.1). */
  cancel(cause: CancelCause): void {
    if (this.done) return;
    this.cancelCause ??= cause;
    if (this.timeoutTimer) this.host.clock.clearTimeout(this.timeoutTimer);
    this.timeoutTimer = undefined;
    if (this.provisional) this.sendCancel();
  }

  /** Engine closing: CANCEL best effort, the attempt ends now as `cancelled`. */
  abandon(): void {
    if (this.done) return;
    this.cancelCause ??= 'cancelled';
    if (this.provisional) this.sendCancel();
    this.fail(this.cancelCause, 'engine closed', { reason: 'shutdown', by: 'local' });
  }

  /** The callee's WebSocket connection closed while ringing (RFC 7118 §5): nothing can answer any more. */
  lose(): void {
    if (this.done) return;
    this.tx?.cancel();
    this.fail('unavailable', "the callee's websocket connection closed", { reason: 'error', by: 'remote' });
  }

  private send(authorization: { header: string; value: string } | undefined): void {
    const branch = newBranch();
    const { next, requestUri } = this.spec;
    const host = this.via.address.includes(':') ? `[${this.via.address}]` : this.via.address;
    const user = /^sips?:([^@]+)@/.exec(this.from.uri)?.[1];
    const transport = contactTransport(next.transport);
    const headers: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(this.spec.headers)) {
      if (/^[A-Za-z0-9-]+$/.test(name) && !/[\r\n]/.test(value)) headers[name.toLowerCase()] = value;
    }
    Object.assign(headers, {
      via: [{ version: '2.0', protocol: next.transport.toUpperCase(), host: this.via.address, port: this.via.port, params: { branch, rport: null } }],
      'max-forwards': '70',
      to: { uri: this.spec.toUri, params: {} },
      from: this.from,
      'call-id': this.owner.id,
      cseq: { seq: this.cseq, method: 'INVITE' },
      contact: [{ uri: `sip:${user ? `${user}@` : ''}${host}:${this.via.port}${transport}`, params: {} }],
      allow: ALLOW,
      supported: SUPPORTED,
      'content-type': 'application/sdp',
    });
    if (authorization) headers[authorization.header] = authorization.value;
    const message: SipOutgoingMessage = { method: 'INVITE', uri: requestUri, version: '2.0', headers, content: utf8ToLatin1(this.offer) };
    this.provisional = false;
    this.cancelSent = false;
    this.tx = this.host.startInvite(branch, message, next, {
      onResponse: (r) => {
        this.onResponse(r);
      },
      onTimeout: (why) => {
        this.onTimeout(why);
      },
    });
  }

  private onResponse(res: SipResponse): void {
    if (res.status >= 200 && res.status < 300) {
      this.on2xx(res);
      return;
    }
    if (this.done) return;
    if (res.status < 200) {
      this.provisional = true;
      if (res.status === 180 || res.status === 183) this.owner.progress(res.status);
      if (this.cancelCause !== undefined) this.sendCancel();
      return;
    }
    if ((res.status === 401 || res.status === 407) && this.retryWithCredentials(res)) return;
    const cause = this.cancelSent ? this.cancelCause : undefined;
    if (res.status === 487 && cause !== undefined) {
      this.fail(cause, `cancelled (${cause})`, { reason: 'cancelled', by: 'local', sipStatus: 487 }, 487);
      return;
    }
    this.fail(failureOf(res.status), `${res.status} ${res.reason}`, { reason: 'rejected', by: 'remote', sipStatus: res.status }, res.status);
  }

  /** §22.2/§22.3: resend once with Authorization (401) or Proxy-Authorization (407), CSeq+1, new branch. */
  private retryWithCredentials(res: SipResponse): boolean {
    const credentials = this.spec.credentials;
    if (this.authRetried || !credentials || this.cancelCause !== undefined) return false;
    const proxy = res.status === 407;
    const challenges = res.message.headers[proxy ? 'proxy-authenticate' : 'www-authenticate'] ?? [];
    for (const raw of challenges) {
      const challenge = digestParams(raw);
      const value = challenge && authorizationFor(challenge, credentials, 'INVITE', this.spec.requestUri);
      if (value === undefined) continue;
      this.authRetried = true;
      this.cseq += 1;
      this.owner.logger.info('sip: trunk asked for credentials, retrying', { status: res.status });
      this.send({ header: proxy ? 'proxy-authorization' : 'authorization', value });
      return true;
    }
    return false;
  }

  private onTimeout(why: string): void {
    if (this.done) return;
    const cause = this.cancelCause;
    if (cause !== undefined) this.fail(cause, `cancelled (${cause}): ${why}`, { reason: 'cancelled', by: 'local' });
    else this.fail(why.startsWith('cannot send') ? 'failed' : 'no-answer', why, { reason: 'error', by: 'local' });
  }

  /** §13.2.2.4: ACK every 2xx (retransmissions too); after our CANCEL or a media refusal, BYE follows. */
  private on2xx(res: SipResponse): void {
    const tag = paramString(res.message.headers.to?.params, 'tag');
    if (this.ack && tag === this.confirmedTag) {
      this.sendAck(this.ack);
      return;
    }
    const dialog = SipDialog.fromOutboundInvite(
      { callId: this.owner.id, from: this.from, cseq: this.cseq, requestUri: this.spec.requestUri },
      res.message,
      this.spec.next,
      this.via,
    );
    if (!dialog) {
      this.owner.logger.warn('sip: 2xx without To tag ignored');
      return;
    }
    const ack = dialog.createAck(this.cseq);
    this.sendAck(ack);
    if (this.done || this.confirmedTag !== undefined) {
      // A 2xx after we gave up (CANCEL crossed it, §15) or from a second fork: confirm, then end it.
      this.bye(dialog);
      return;
    }
    this.confirmedTag = tag;
    this.ack = ack;
    if (this.cancelCause !== undefined) {
      this.bye(dialog);
      this.fail(this.cancelCause, `answered after CANCEL (${this.cancelCause})`, { reason: 'cancelled', by: 'local' });
      return;
    }
    try {
      if (res.body.length === 0) throw new Error('2xx without SDP answer');
      this.session.acceptAnswer(bodyText(res));
    } catch (err) {
      this.owner.logger.warn('sip: answer refused by media', { err: err instanceof Error ? err.message : String(err) });
      this.bye(dialog);
      this.fail('failed', 'unusable SDP answer', { reason: 'media-failure', by: 'local' }, undefined, err);
      return;
    }
    this.finish();
    this.owner.confirmed(dialog);
  }

  /** §9.1: CANCEL copies Request-URI, Call-ID, From, To, CSeq number, Route and the top Via (same branch). */
  private sendCancel(): void {
    const tx = this.tx;
    if (this.cancelSent || !tx) return;
    this.cancelSent = true;
    const h = tx.request.headers;
    const headers: Record<string, unknown> = {
      via: h.via, 'max-forwards': '70', to: h.to, from: h.from, 'call-id': h['call-id'], cseq: { seq: this.cseq, method: 'CANCEL' },
    };
    if (h.route !== undefined) headers.route = h.route;
    const message: SipOutgoingMessage = { method: 'CANCEL', uri: this.spec.requestUri, version: '2.0', headers };
    this.host.sendRequest({ message, target: this.spec.next, branch: tx.branch }).then(
      (r) => {
        this.owner.logger.info('sip: CANCEL answered', { status: r.status });
      },
      (err: unknown) => {
        this.owner.logger.warn('sip: CANCEL failed', { err: err instanceof Error ? err.message : String(err) });
      },
    );
    // §9.1: without a final response 64*T1 after the CANCEL, the INVITE counts as cancelled.
    this.guardTimer = this.host.clock.setTimeout(() => {
      this.guardTimer = undefined;
      const cause = this.cancelCause ?? 'cancelled';
      this.fail(cause, `no final response after CANCEL (${cause})`, { reason: 'cancelled', by: 'local' });
    }, this.host.timers.txTimeout);
  }

  private sendAck(ack: DialogRequest): void {
    this.host.sendMessage(ack.message, ack.target).catch((err: unknown) => {
      this.owner.logger.warn('sip: cannot send ACK', { err: err instanceof Error ? err.message : String(err) });
    });
  }

  private bye(dialog: SipDialog): void {
    this.host.sendRequest(dialog.createRequest('BYE')).catch((err: unknown) => {
      this.owner.logger.warn('sip: BYE failed', { err: err instanceof Error ? err.message : String(err) });
    });
  }

  private fail(failure: DialFailure, message: string, end: LegEnd, sipStatus?: number, cause?: unknown): void {
    if (this.done) return;
    this.finish();
    const error = new DialError(failure, `dial failed: ${message}`, { ...(sipStatus === undefined ? {} : { sipStatus }), cause });
    this.owner.failed(error, end);
  }

  private finish(): void {
    this.done = true;
    this.signal?.removeEventListener('abort', this.onAbort);
    if (this.timeoutTimer) this.host.clock.clearTimeout(this.timeoutTimer);
    if (this.guardTimer) this.host.clock.clearTimeout(this.guardTimer);
    this.timeoutTimer = undefined;
    this.guardTimer = undefined;
  }
}
