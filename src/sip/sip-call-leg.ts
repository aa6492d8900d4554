import type { SipOutgoingMessage } from 'sip';
import type { Logger } from '../logging/logger.js';
import type { RtpSession } from '../media/media-types.js';
import { AppError, InvalidStateError, toAppError } from '../shared/app-error.js';
import type { Clock, Timer } from '../shared/clock.js';
import { maskPhone } from '../shared/mask.js';
import { TypedEmitter } from '../shared/typed-emitter.js';
import type { CallLeg, CallLegEvents, EndReason, EndedBy, LegEnd, LegState, PlayOptions, PlayOutcome } from '../telephony/call-leg.js';
import { InviteOkRetransmitter } from './invite-ok-retransmitter.js';
import type { ServerTransaction } from './server-transaction.js';
import { SipError } from './sip-error.js';
import { ALLOW, SUPPORTED, bodyText, displayNameOf, newTag, userOf, type SipRequest, type SipResponse } from './sip-message.js';
import { SipDialog, type DialogRequest } from './sip-dialog.js';
import type { SipTimers } from './sip-types.js';
import { InDialogHandler } from './in-dialog-handler.js';

/** What a leg needs from the engine that owns it. */
export interface LegHost {
  readonly clock: Clock;
  readonly timers: SipTimers;
  readonly publicAddress: string;
  readonly port: number;
  readonly noAckTimeoutMs: number;
  readonly answerDelayMs: number;
  readonly maxCallDurationMs: number;
  sendResponse(req: SipRequest, response: SipOutgoingMessage): Promise<void>;
  sendRequest(request: DialogRequest): Promise<SipResponse>;
}

/** The 2xx we are waiting to see acknowledged (initial INVITE or re-INVITE), §13.3.1.4. */
interface PendingAck {
  readonly retransmitter: InviteOkRetransmitter;
  /** The 2xx carried our offer (INVITE without SDP): the ACK must carry the answer (§13.2.1). */
  readonly offerInOk: boolean;
  readonly initial: boolean;
}

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
export class SipCallLeg implements CallLeg {
  readonly events = new TypedEmitter<CallLegEvents>();
  readonly direction = 'inbound' as const;
  readonly id: string;
  readonly from: string;
  /** Caller's display name as UTF-8 (e.g. `张三`), when the From header has one. */
  readonly fromDisplayName: string | undefined;
  readonly to: string;
  readonly startedAt: number;
  readonly localTag = newTag();
  readonly logger: Logger;
  private currentState: LegState = 'ringing';
  private answeredTime: number | undefined;
  private endedTime: number | undefined;
  private legEnd: LegEnd | undefined;
  private session: RtpSession | undefined;
  private dialogState: SipDialog | undefined;
  private pendingAckState: PendingAck | undefined;
  private answering: Promise<void> | undefined;
  private ackWaiter: { resolve: () => void; reject: (e: Error) => void } | undefined;
  private hangingUp: Promise<void> | undefined;
  /** Set when hangup() came while our 2xx was unacknowledged: the BYE waits for the ACK (§15). */
  private byeAfterAck: (() => void) | undefined;
  private maxDurationTimer: Timer | undefined;
  private readonly lifetime = new AbortController();
  private readonly inDialog: InDialogHandler;

  constructor(
    private readonly host: LegHost,
    readonly invite: SipRequest,
    private readonly inviteTx: ServerTransaction,
    parentLogger: Logger,
  ) {
    this.id = invite.callId;
    this.from = userOf(invite.from.uri);
    this.fromDisplayName = displayNameOf(invite.from);
    this.to = userOf(invite.requestUri);
    this.startedAt = host.clock.now();
    this.logger = parentLogger.child({ callId: this.id });
    this.inDialog = new InDialogHandler(this);
    this.logger.info('sip: inbound call', { from: maskPhone(this.from), to: maskPhone(this.to), transport: invite.source.transport });
  }

  get state(): LegState {
    return this.currentState;
  }
  get answeredAt(): number | undefined {
    return this.answeredTime;
  }
  get endedAt(): number | undefined {
    return this.endedTime;
  }
  get end(): LegEnd | undefined {
    return this.legEnd;
  }
  get dialog(): SipDialog | undefined {
    return this.dialogState;
  }
  get rtpSession(): RtpSession | undefined {
    return this.session;
  }
  get pendingAck(): PendingAck | undefined {
    return this.pendingAckState;
  }

  /** The media session, once the engine created it; its digits and timeouts become leg events. */
  attachSession(session: RtpSession): void {
    this.session = session;
    session.events.on('dtmf', (digit, source) => {
      if (this.currentState !== 'ended') this.events.emit('dtmf', digit, source);
    });
    session.events.on('timeout', () => {
      this.logger.warn('sip: media timeout');
      if (this.currentState === 'answered') void this.hangup('media-failure');
    });
  }

  /** 180 Ringing with our To tag (early dialog), sent when answering is delayed. */
  ring(): void {
    if (this.currentState === 'ringing' && !this.inviteTx.finalSent) this.inviteTx.respond(180, 'Ringing', { toTag: this.localTag });
  }

  answer(): Promise<void> {
    if (this.answering) return this.answering;
    if (this.currentState !== 'ringing') return Promise.reject(new InvalidStateError(`cannot answer a leg in state ${this.currentState}`));
    this.answering = this.doAnswer();
    return this.answering;
  }

  reject(status: number, reason?: string): void {
    if (!Number.isInteger(status) || status < 300 || status > 699) throw new AppError('SIP_BAD_STATUS', `reject needs a status 300-699, got ${status}`);
    if (this.currentState !== 'ringing' || this.inviteTx.finalSent) throw new InvalidStateError(`cannot reject a leg in state ${this.currentState}`);
    this.inviteTx.respond(status, reason ?? defaultReason(status), { toTag: this.localTag });
    this.finish('rejected', 'local', status);
  }

  hangup(reason?: EndReason): Promise<void> {
    if (this.hangingUp) return this.hangingUp;
    if (this.currentState === 'ended') return Promise.resolve();
    if (this.currentState === 'ringing') {
      // §15: before a final response the UAS ends the call with a final response (480, as for "no one answers").
      if (!this.inviteTx.finalSent) this.inviteTx.respond(480, 'Temporarily Unavailable', { toTag: this.localTag });
      this.finish(reason ?? 'rejected', 'local', 480);
      this.hangingUp = Promise.resolve();
      return this.hangingUp;
    }
    const pending = this.pendingAckState;
    this.finish(reason ?? 'hangup', 'local');
    if (pending?.initial) {
      // §15: the callee must not send BYE before the ACK (or the 2xx retransmission timeout).
      this.hangingUp = new Promise<void>((resolve) => {
        this.byeAfterAck = () => {
          this.byeAfterAck = undefined;
          void this.sendBye().then(resolve);
        };
      });
    } else {
      this.hangingUp = this.sendBye();
    }
    return this.hangingUp;
  }

  /** Ends the leg at engine close: BYE sent best effort, nothing awaited. Safe twice. */
  close(): void {
    if (this.currentState !== 'ended') void this.hangup('shutdown');
    this.pendingAckState?.retransmitter.stop();
    this.pendingAckState = undefined;
    this.byeAfterAck?.();
  }

  /** True when the request's Call-ID and tags name this leg's (early or confirmed) dialog. */
  matches(req: SipRequest): boolean {
    if (this.dialogState) return this.dialogState.matches(req);
    return req.callId === this.id && req.toTag === this.localTag && req.fromTag === this.invite.fromTag;
  }

  async play(prompts: readonly string[], signal?: AbortSignal, options?: PlayOptions): Promise<PlayOutcome> {
    if (this.currentState === 'ended') return 'ended';
    const session = this.session;
    if (this.currentState !== 'answered' || !session) throw new InvalidStateError('play() needs an answered leg');
    const outcome = await session.play(prompts, signal, options);
    return this.state === 'ended' ? 'ended' : outcome;
  }

  stopPlayback(): void {
    this.session?.stopPlayback();
  }

  /** CANCEL matched our INVITE (§9.2): 487 to the INVITE while it is still unanswered. */
  cancel(): void {
    if (this.currentState !== 'ringing' || this.inviteTx.finalSent) return;
    this.inviteTx.respond(487, 'Request Terminated', { toTag: this.localTag });
    this.finish('cancelled', 'remote', 487);
  }

  /** A request inside this dialog (the engine checked the tags). */
  handleRequest(req: SipRequest, tx: ServerTransaction | undefined): void {
    this.inDialog.handle(req, tx);
  }

  /** ACK for one of our 2xx (§13.3.1.4, §13.2.1 for an answer carried in the ACK). */
  acknowledge(req: SipRequest): void {
    const pending = this.pendingAckState;
    if (!pending) return;
    pending.retransmitter.stop();
    this.pendingAckState = undefined;
    if (pending.offerInOk) this.applyAckAnswer(req, pending.initial);
    if (pending.initial) {
      this.byeAfterAck?.();
      if (this.currentState === 'answered') {
        this.ackWaiter?.resolve();
        this.events.emit('answered');
      }
    }
  }

  /** Starts the §13.3.1.4 retransmission of a 2xx just sent through `tx`. */
  expectAck(response: SipOutgoingMessage, cseq: number, req: SipRequest, offerInOk: boolean, initial: boolean): void {
    const retransmitter = new InviteOkRetransmitter(cseq, response, {
      clock: this.host.clock,
      t1: this.host.timers.t1,
      t2: this.host.timers.t2,
      giveUpMs: this.host.noAckTimeoutMs,
      resend: (r) => {
        this.host.sendResponse(req, r).catch((err: unknown) => {
          this.logger.warn('sip: cannot resend 2xx', { err: err instanceof Error ? err.message : String(err) });
        });
      },
      onTimeout: () => {
        this.pendingAckState = undefined;
        this.logger.warn('sip: no ACK for 2xx', { cseq });
        if (this.byeAfterAck) this.byeAfterAck();
        else if (this.currentState === 'answered') void this.hangup('no-ack');
      },
    });
    this.pendingAckState = { retransmitter, offerInOk, initial };
    retransmitter.start();
  }

  /** BYE from the far end (§15.1.2): 200 was sent by the handler; the leg ends `hangup` by `remote`. */
  remoteHangup(): void {
    if (this.currentState === 'ringing' && !this.inviteTx.finalSent) {
      this.inviteTx.respond(487, 'Request Terminated', { toTag: this.localTag });
      this.finish('cancelled', 'remote', 487);
      return;
    }
    this.finish('hangup', 'remote');
  }

  private async doAnswer(): Promise<void> {
    const { signal } = this.lifetime;
    if (this.host.answerDelayMs > 0) await delay(this.host.clock, this.host.answerDelayMs, signal);
    const session = this.session;
    if (this.currentState !== 'ringing' || this.inviteTx.finalSent || !session) throw this.endedError();
    const offer = this.invite.body.length > 0 ? bodyText(this.invite) : undefined;
    let sdp: string;
    try {
      sdp = offer === undefined ? session.createOffer() : session.answerOffer(offer);
    } catch (err) {
      const media = toAppError(err, 'SIP_MEDIA_FAILED', 'media refused the offer');
      const status = media.code === 'SDP_INVALID' ? 400 : 488;
      this.inviteTx.respond(status, status === 400 ? 'Bad SDP' : 'Not Acceptable Here', { toTag: this.localTag });
      this.logger.warn('sip: offer refused by media', { code: media.code, status });
      this.finish('media-failure', 'local', status);
      throw new SipError('SIP_MEDIA_FAILED', `offer refused: ${media.message}`, { cause: media });
    }
    const via = { address: this.host.publicAddress, port: this.host.port };
    this.dialogState = SipDialog.fromInvite(this.invite, this.localTag, via);
    const acked = new Promise<void>((resolve, reject) => {
      this.ackWaiter = { resolve, reject };
    });
    const ok = this.inviteTx.respond(200, 'OK', { toTag: this.localTag, headers: this.okHeaders(), body: sdp });
    this.transition('answered');
    this.answeredTime = this.host.clock.now();
    this.inDialog.rememberLocalSdp(sdp);
    this.expectAck(ok, this.invite.cseq.seq, this.invite, offer === undefined, true);
    this.maxDurationTimer = this.host.clock.setTimeout(() => {
      this.maxDurationTimer = undefined;
      this.logger.info('sip: max call duration reached');
      void this.hangup('max-duration');
    }, this.host.maxCallDurationMs);
    await acked;
  }

  /** Headers of our 2xx to an INVITE: Contact (§12.1.1 needs it), Allow, Supported, Content-Type. */
  okHeaders(): Record<string, string> {
    const user = this.invite.requestUri.user;
    const host = this.host.publicAddress.includes(':') ? `[${this.host.publicAddress}]` : this.host.publicAddress;
    const transport = this.invite.source.transport === 'tcp' ? ';transport=tcp' : '';
    return {
      contact: `<sip:${user ? `${user}@` : ''}${host}:${this.host.port}${transport}>`,
      allow: ALLOW,
      supported: SUPPORTED,
      'content-type': 'application/sdp',
    };
  }

  private applyAckAnswer(req: SipRequest, initial: boolean): void {
    const session = this.session;
    if (!session || this.currentState !== 'answered') return;
    try {
      if (req.body.length === 0 || req.contentType !== 'application/sdp') throw new SipError('SIP_MEDIA_FAILED', 'ACK carries no SDP answer');
      session.acceptAnswer(bodyText(req));
    } catch (err) {
      this.logger.warn('sip: no usable answer in ACK', { err: err instanceof Error ? err.message : String(err), initial });
      // §13.2.1 leaves no way to refuse an ACK: the session is ended with a BYE.
      this.ackWaiter?.reject(toAppError(err, 'SIP_MEDIA_FAILED', 'no usable SDP answer in ACK'));
      void this.hangup('media-failure');
    }
  }

  private async sendBye(): Promise<void> {
    const dialog = this.dialogState;
    if (!dialog) return;
    try {
      const response = await this.host.sendRequest(dialog.createRequest('BYE'));
      this.logger.info('sip: BYE answered', { status: response.status });
    } catch (err) {
      this.logger.warn('sip: BYE failed', { err: err instanceof Error ? err.message : String(err) });
    }
  }

  private finish(reason: EndReason, by: EndedBy, sipStatus?: number): void {
    if (this.currentState === 'ended') return;
    this.transition('ended');
    this.endedTime = this.host.clock.now();
    this.legEnd = sipStatus === undefined ? { reason, by } : { reason, by, sipStatus };
    this.lifetime.abort();
    if (this.maxDurationTimer) this.host.clock.clearTimeout(this.maxDurationTimer);
    this.maxDurationTimer = undefined;
    if (!this.byeAfterAckNeeded()) {
      this.pendingAckState?.retransmitter.stop();
      this.pendingAckState = undefined;
    }
    this.ackWaiter?.reject(this.endedError());
    this.session?.close();
    this.logger.info('sip: leg ended', { reason, by, sipStatus });
    this.events.emit('ended', this.legEnd);
  }

  /** Keep retransmitting our 2xx after a local hangup until the ACK, so the BYE can follow it (§15). */
  private byeAfterAckNeeded(): boolean {
    return this.pendingAckState?.initial === true && this.legEnd?.by === 'local' && this.legEnd.reason !== 'no-ack';
  }

  private endedError(): SipError {
    const end = this.legEnd;
    return new SipError('SIP_LEG_ENDED', end ? `leg ended: ${end.reason} by ${end.by}` : 'leg ended');
  }

  /** The only place the state changes; illegal moves throw (see the diagram above). */
  private transition(next: LegState): void {
    const allowed = this.currentState === 'ringing' ? next !== 'ringing' : this.currentState === 'answered' && next === 'ended';
    if (!allowed) throw new InvalidStateError(`leg ${this.id}: illegal transition ${this.currentState} → ${next}`);
    this.currentState = next;
  }
}

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
