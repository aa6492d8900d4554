import type { Logger } from '../logging/logger.js';
import type { RtpSession } from '../media/media-types.js';
import { AppError, InvalidStateError, toAppError } from '../shared/app-error.js';
import type { Clock } from '../shared/clock.js';
import { maskPhone } from '../shared/mask.js';
import { TypedEmitter } from '../shared/typed-emitter.js';
import type { CallLeg, CallLegEvents, EndReason } from '../telephony/call-leg.js';
import type { InboundRoute } from '../telephony/inbound-gate.js';
import type { ServerTransaction } from './server-transaction.js';
import { SipError } from './sip-error.js';
import { SipLegBase, type LegHost } from './sip-leg-base.js';
import { ALLOW, SUPPORTED, bodyText, displayNameOf, userOf, type SipRequest } from './sip-message.js';
import { SipDialog } from './sip-dialog.js';
import { contactTransport, isFlowOnly, type Endpoint } from './sip-types.js';
import { restrictCodecs } from './sdp-codecs.js';
import { MediaError } from '../media/media-error.js';
import { srtpWarningHeader } from './media-warning.js';

export type { LegHost } from './sip-leg-base.js';

/**
 * An inbound call leg of the embedded SIP engine (UAS side of one INVITE dialog).
 *
 * States (`transition()` throws InvalidStateError on any other move):
 * ```
 *   ringing ──answer(): 200 sent──► answered ──BYE (either side) / no ACK / max duration──► ended
 *      └──── reject() / hangup() / CANCEL / 488 ────────────────────────────────────────────┘
 * ```
 * `answered` is entered when the 200 OK goes out (the dialog is confirmed for us, §12.1.1); answer()
 * resolves and `answered` is emitted when the ACK arrives. `ended` is emitted exactly once.
 */
export class SipCallLeg extends SipLegBase implements CallLeg {
  readonly events = new TypedEmitter<CallLegEvents>();
  readonly direction = 'inbound' as const;
  private answering: Promise<void> | undefined;
  private ackWaiter: { resolve: () => void; reject: (e: Error) => void } | undefined;
  /** Set when hangup() came while our 2xx was unacknowledged: the BYE waits for the ACK (§15). */
  private byeAfterAck: (() => void) | undefined;
  /** Made only when answering is delayed (SIP_ANSWER_DELAY_MS): aborting one dispatches an event. */
  private lifetime: AbortController | undefined;

  constructor(
    host: LegHost,
    readonly invite: SipRequest,
    private readonly inviteTx: ServerTransaction,
    parentLogger: Logger,
    /** The trunk and flow the engine's InboundGate chose (undefined: no gate). */
    readonly route?: InboundRoute,
  ) {
    super(host, {
      id: invite.callId,
      from: userOf(invite.from.uri),
      // Caller's display name as UTF-8 (e.g. `张三`), when the From header has one.
      fromDisplayName: displayNameOf(invite.from),
      to: userOf(invite.requestUri),
      // From the datagram's read, not from whenever this leg gets built: answer latency starts there.
      startedAt: invite.receivedAt,
    }, parentLogger);
    this.logger.info('sip: inbound call', { from: maskPhone(this.from), to: maskPhone(this.to), transport: invite.source.transport, trunk: route?.trunk });
  }

  /** The media session, once the engine created it; its digits and timeouts become leg events. */
  attachSession(session: RtpSession): void {
    // RTP may latch only from the INVITE's source IP or its SDP IP (a forged c= cannot aim media elsewhere).
    // …and only a TLS INVITE may carry SDES keys (a=crypto): over UDP/TCP they are readable by anyone.
    session.setSignallingAddress?.(this.invite.source.address, this.invite.source.transport);
    this.useSession(session, true);
  }

  /** 180 Ringing with our To tag (early dialog), sent when answering is delayed. */
  ring(): void {
    if (this.state === 'ringing' && !this.inviteTx.finalSent) this.inviteTx.respond(180, 'Ringing', { toTag: this.localTag });
  }

  answer(): Promise<void> {
    if (this.answering) return this.answering;
    if (this.state !== 'ringing') return Promise.reject(new InvalidStateError(`cannot answer a leg in state ${this.state}`));
    this.answering = this.doAnswer();
    return this.answering;
  }

  reject(status: number, reason?: string): void {
    if (!Number.isInteger(status) || status < 300 || status > 699) throw new AppError('SIP_BAD_STATUS', `reject needs a status 300-699, got ${status}`);
    if (this.state !== 'ringing' || this.inviteTx.finalSent) throw new InvalidStateError(`cannot reject a leg in state ${this.state}`);
    this.inviteTx.respond(status, reason ?? defaultReason(status), { toTag: this.localTag });
    this.finish('rejected', 'local', status);
  }

  /** Ends the leg at engine close: BYE sent best effort, nothing awaited. Safe twice. */
  close(): void {
    if (this.state !== 'ended') void this.hangup('shutdown');
    this.dropPendingAck();
    this.byeAfterAck?.();
  }

  /** True when the request's Call-ID and tags name this leg's (early or confirmed) dialog. */
  matches(req: SipRequest): boolean {
    if (this.dialogState) return this.dialogState.matches(req);
    return req.callId === this.id && req.toTag === this.localTag && req.fromTag === this.invite.fromTag;
  }

  protected override earlyFlow(): Endpoint | undefined {
    return isFlowOnly(this.invite.source.transport) ? this.invite.source : undefined;
  }

  /** The caller's WebSocket closed before the answer: as a CANCEL, with no response left to send. */
  protected flowLostWhileRinging(): void {
    this.finish('cancelled', 'remote');
  }

  /** CANCEL matched our INVITE (§9.2): 487 to the INVITE while it is still unanswered. */
  cancel(): void {
    if (this.state !== 'ringing' || this.inviteTx.finalSent) return;
    this.inviteTx.respond(487, 'Request Terminated', { toTag: this.localTag });
    this.finish('cancelled', 'remote', 487);
  }

  /** BYE from the far end (§15.1.2): 200 was sent by the handler; the leg ends `hangup` by `remote`. */
  remoteHangup(): void {
    if (this.state === 'ringing' && !this.inviteTx.finalSent) {
      this.inviteTx.respond(487, 'Request Terminated', { toTag: this.localTag });
      this.finish('cancelled', 'remote', 487);
      return;
    }
    this.finish('hangup', 'remote');
  }

  /** Headers of our 2xx to an INVITE: Contact (§12.1.1 needs it), Allow, Supported, Content-Type. */
  okHeaders(): Record<string, string> {
    const user = this.invite.requestUri.user;
    const transport = contactTransport(this.invite.source.transport);
    return {
      contact: `<sip:${user ? `${user}@` : ''}${this.uriHost()}:${this.host.portFor(this.invite.source.transport)}${transport}>`,
      allow: ALLOW,
      supported: SUPPORTED,
      'content-type': 'application/sdp',
    };
  }

  protected hangupRinging(reason: EndReason | undefined): Promise<void> {
    // §15: before a final response the UAS ends the call with a final response (480, as for "no one answers").
    if (!this.inviteTx.finalSent) this.inviteTx.respond(480, 'Temporarily Unavailable', { toTag: this.localTag });
    this.finish(reason ?? 'rejected', 'local', 480);
    return Promise.resolve();
  }

  protected override hangupAnswered(reason: EndReason | undefined): Promise<void> {
    const pending = this.pendingAck;
    this.finish(reason ?? 'hangup', 'local');
    if (!pending?.initial) return this.sendBye();
    // §15: the callee must not send BYE before the ACK (or the 2xx retransmission timeout).
    return new Promise<void>((resolve) => {
      this.byeAfterAck = () => {
        this.byeAfterAck = undefined;
        void this.sendBye().then(resolve);
      };
    });
  }

  protected override initialAcknowledged(): void {
    this.byeAfterAck?.();
    if (this.state === 'answered') {
      this.takeAckWaiter()?.resolve();
      this.events.emit('answered');
    }
  }

  protected override ackAnswerRefused(error: AppError): void {
    this.takeAckWaiter()?.reject(error);
  }

  protected override ackTimedOut(): void {
    if (this.byeAfterAck) this.byeAfterAck();
    else super.ackTimedOut();
  }

  /** Keep retransmitting our 2xx after a local hangup until the ACK, so the BYE can follow it (§15). */
  protected override keepsPendingAck(): boolean {
    const end = this.end;
    return this.pendingAck?.initial === true && end?.by === 'local' && end.reason !== 'no-ack';
  }

  protected settleOnEnd(): void {
    // Every call ends here: no Error (stack trace) and no abort event unless something waits on them.
    this.lifetime?.abort(LEG_ENDED);
    this.takeAckWaiter()?.reject(this.endedError());
  }

  /** The answer() waiting on the ACK, once: a settled waiter is dropped so a later end builds no error for it. */
  private takeAckWaiter(): { resolve: () => void; reject: (e: Error) => void } | undefined {
    const waiter = this.ackWaiter;
    this.ackWaiter = undefined;
    return waiter;
  }

  private async doAnswer(): Promise<void> {
    if (this.host.answerDelayMs > 0) {
      this.lifetime ??= new AbortController();
      await delay(this.host.clock, this.host.answerDelayMs, this.lifetime.signal);
    }
    const session = this.rtpSession;
    if (this.state !== 'ringing' || this.inviteTx.finalSent || !session) throw this.endedError();
    const received = this.invite.body.length > 0 ? bodyText(this.invite) : undefined;
    // The trunk's codecs (trunks file): the offer loses the others before media chooses.
    const restricted = received !== undefined && this.route?.codecs !== undefined ? restrictCodecs(received, this.route.codecs) : undefined;
    const offer = restricted?.sdp ?? received;
    let sdp: string;
    try {
      if (restricted?.usable === false) throw new MediaError('SDP_NO_COMMON_CODEC', `the offer has none of the trunk's codecs (${this.route?.codecs?.join(', ') ?? ''})`);
      sdp = offer === undefined ? session.createOffer() : session.answerOffer(offer);
    } catch (err) {
      const media = toAppError(err, 'SIP_MEDIA_FAILED', 'media refused the offer');
      const status = media.code === 'SDP_INVALID' ? 400 : 488;
      const warning = srtpWarningHeader(media);
      this.inviteTx.respond(status, status === 400 ? 'Bad SDP' : 'Not Acceptable Here', { toTag: this.localTag, ...(warning === undefined ? {} : { headers: warning }) });
      this.logger.warn('sip: offer refused by media', { code: media.code, status, reason: media.message });
      this.finish('media-failure', 'local', status);
      throw new SipError('SIP_MEDIA_FAILED', `offer refused: ${media.message}`, { cause: media });
    }
    const via = { address: this.host.publicAddress, port: this.host.portFor(this.invite.source.transport) };
    this.dialogState = SipDialog.fromInvite(this.invite, this.localTag, via);
    const acked = new Promise<void>((resolve, reject) => {
      this.ackWaiter = { resolve, reject };
    });
    const ok = this.inviteTx.respond(200, 'OK', { toTag: this.localTag, headers: this.okHeaders(), body: sdp });
    this.markAnswered();
    this.inDialog.rememberLocalSdp(sdp);
    this.expectAck(ok, this.invite.cseq.seq, this.invite, offer === undefined, true);
    await acked;
  }

  private endedError(): SipError {
    const end = this.end;
    return new SipError('SIP_LEG_ENDED', end ? `leg ended: ${end.reason} by ${end.by}` : 'leg ended');
  }
}

/** The abort reason of a leg's lifetime signal: a constant, so ending a call builds no DOMException. */
const LEG_ENDED = 'leg ended';

function defaultReason(status: number): string {
  const reasons: Record<number, string> = {
    403: 'Forbidden', 404: 'Not Found', 480: 'Temporarily Unavailable', 486: 'Busy Here', 487: 'Request Terminated',
    488: 'Not Acceptable Here', 500: 'Server Internal Error', 503: 'Service Unavailable', 603: 'Decline',
  };
  return reasons[status] ?? 'Rejected';
}

/** Waits `ms` on the injected clock; rejects with SIP_LEG_ENDED when the leg ends first. */
function delay(clock: Clock, ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(new SipError('SIP_LEG_ENDED', 'leg ended'));
      return;
    }
    const onAbort = (): void => {
      clock.clearTimeout(timer);
      reject(new SipError('SIP_LEG_ENDED', 'leg ended'));
    };
    const timer = clock.setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
