import type { SipOutgoingMessage } from 'sip';
import type { Logger } from '../logging/logger.js';
import type { RtpSession } from '../media/media-types.js';
import { InvalidStateError, toAppError, type AppError } from '../shared/app-error.js';
import type { Clock, Timer } from '../shared/clock.js';
import type { TypedEmitter } from '../shared/typed-emitter.js';
import type { CallLegEvents, EndReason, EndedBy, LegEnd, LegState, PlayOptions, PlayOutcome, RecordOptions, RecordResult } from '../telephony/call-leg.js';
import { InDialogHandler, type DialogLeg } from './in-dialog-handler.js';
import { InviteOkRetransmitter } from './invite-ok-retransmitter.js';
import type { ServerTransaction } from './server-transaction.js';
import type { DialogRequest, SipDialog } from './sip-dialog.js';
import { SipError } from './sip-error.js';
import { bodyText, newTag, type SipRequest, type SipResponse } from './sip-message.js';
import { isFlowOnly, type Endpoint, type SipTimers, type TransportKind } from './sip-types.js';

/** What a leg needs from the engine that owns it. */
export interface LegHost {
  readonly clock: Clock;
  readonly timers: SipTimers;
  readonly publicAddress: string;
  readonly port: number;
  /** Our port for a transport, for Via and Contact (the TLS port for TLS). */
  portFor(kind: TransportKind): number;
  readonly noAckTimeoutMs: number;
  readonly answerDelayMs: number;
  readonly maxCallDurationMs: number;
  sendResponse(req: SipRequest, response: SipOutgoingMessage): Promise<void>;
  sendRequest(request: DialogRequest): Promise<SipResponse>;
}

/** The 2xx we are waiting to see acknowledged (initial INVITE or re-INVITE), §13.3.1.4. */
export interface PendingAck {
  readonly retransmitter: InviteOkRetransmitter;
  /** The 2xx carried our offer (INVITE without SDP): the ACK must carry the answer (§13.2.1). */
  readonly offerInOk: boolean;
  /** The 2xx answered the dialog-creating INVITE (only an inbound leg sends one). */
  readonly initial: boolean;
}

/** Who the leg is: the call id and the user parts of both ends. */
export interface LegIdentity {
  readonly id: string;
  readonly from: string;
  readonly fromDisplayName: string | undefined;
  readonly to: string;
  /** Epoch ms the call began: an inbound leg's INVITE read by the transport; default: now. */
  readonly startedAt?: number;
}

/**
 * What inbound and outbound legs of the embedded SIP engine share: the state machine, the end of a
 * leg, ACKs for our 2xx (§13.3.1.4), in-dialog requests, playback, the max-duration timer and BYE.
 *
 * States (`transition()` throws InvalidStateError on any other move):
 * ```
 *   ringing ──► answered ──► ended
 *      └────────────────────────┘
 * ```
 * Subclasses say when each move happens (see their diagrams); `ended` is emitted exactly once.
 */
export abstract class SipLegBase<H extends LegHost = LegHost> implements DialogLeg {
  abstract readonly events: TypedEmitter<CallLegEvents>;
  readonly id: string;
  readonly from: string;
  readonly fromDisplayName: string | undefined;
  readonly to: string;
  readonly startedAt: number;
  /** Our tag in the dialog: To tag of an inbound leg, From tag of an outbound one (§12.1). */
  readonly localTag = newTag();
  readonly logger: Logger;
  protected dialogState: SipDialog | undefined;
  protected hangingUp: Promise<void> | undefined;
  protected readonly inDialog: InDialogHandler;
  private currentState: LegState = 'ringing';
  private answeredTime: number | undefined;
  private endedTime: number | undefined;
  private legEnd: LegEnd | undefined;
  private session: RtpSession | undefined;
  private pendingAckState: PendingAck | undefined;
  private maxDurationTimer: Timer | undefined;

  protected constructor(
    protected readonly host: H,
    identity: LegIdentity,
    parentLogger: Logger,
  ) {
    this.id = identity.id;
    this.from = identity.from;
    this.fromDisplayName = identity.fromDisplayName;
    this.to = identity.to;
    this.startedAt = identity.startedAt ?? host.clock.now();
    this.logger = parentLogger.child({ callId: this.id });
    this.inDialog = new InDialogHandler(this);
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

  abstract remoteHangup(): void;
  abstract okHeaders(): Record<string, string>;
  /** Ends a leg nobody answered yet (final response or CANCEL). */
  protected abstract hangupRinging(reason: EndReason | undefined): Promise<void>;
  /** Settles whatever waits on the leg (answer, dial) once it has ended. */
  protected abstract settleOnEnd(end: LegEnd): void;

  hangup(reason?: EndReason): Promise<void> {
    if (this.hangingUp) return this.hangingUp;
    if (this.currentState === 'ended') return Promise.resolve();
    this.hangingUp = this.currentState === 'ringing' ? this.hangupRinging(reason) : this.hangupAnswered(reason);
    return this.hangingUp;
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

  async record(path: string, options: RecordOptions, signal?: AbortSignal): Promise<RecordResult> {
    if (this.currentState === 'ended') return { end: 'closed', durationMs: 0, voicedMs: 0 };
    const session = this.session;
    if (this.currentState !== 'answered' || session?.record === undefined) throw new InvalidStateError('record() needs an answered leg on a media engine that records');
    return session.record(path, options, signal);
  }

  /** A request inside this dialog (the engine checked the tags). */
  handleRequest(req: SipRequest, tx: ServerTransaction | undefined): void {
    const flow = this.dialogState?.flow;
    // A WebSocket client that reconnected (same address, new connection) carries the dialog on.
    if (flow !== undefined && isFlowOnly(req.source.transport) && req.source.connectionId !== flow.connectionId && req.source.address === flow.address) {
      this.logger.info('sip: dialog moved to a new websocket connection', { from: flow.connectionId, to: req.source.connectionId });
      this.dialogState?.moveFlow(req.source);
    }
    this.inDialog.handle(req, tx);
  }

  /** The WebSocket connection this leg's signalling goes over (RFC 7118 §5), or undefined. */
  get flow(): Endpoint | undefined {
    return this.dialogState?.flow ?? this.earlyFlow();
  }

  /**
   * The leg's WebSocket connection closed (and, once answered, no request came over a new one within
   * the grace): nothing can reach the peer any more, so no BYE; handled like the far end hanging up.
   */
  flowLost(): void {
    if (this.state === 'ended') return;
    this.logger.info('sip: websocket connection of the call lost', { state: this.state });
    if (this.state === 'ringing') this.flowLostWhileRinging();
    else this.finish('hangup', 'remote');
  }

  /** The flow of a leg that has no dialog yet. */
  protected earlyFlow(): Endpoint | undefined {
    return undefined;
  }

  /** The flow closed before the leg was answered. */
  protected abstract flowLostWhileRinging(): void;

  /** ACK for one of our 2xx (§13.3.1.4); carries the answer when our 2xx had the offer (§13.2.1). */
  acknowledge(req: SipRequest): void {
    const pending = this.pendingAckState;
    if (!pending) return;
    pending.retransmitter.stop();
    this.pendingAckState = undefined;
    if (pending.offerInOk) this.applyAckAnswer(req, pending.initial);
    // The ACK proves the peer receives our signalling: only now may media flow to the SDP address of
    // the INVITE or re-INVITE it acknowledges (a forged INVITE naming a third party never gets here).
    if (this.currentState === 'answered') this.session?.confirmRemote?.();
    if (pending.initial) this.initialAcknowledged();
  }

  /** Starts the §13.3.1.4 retransmission of a 2xx just sent for `req`. */
  expectAck(response: SipOutgoingMessage, cseq: number, req: SipRequest, offerInOk: boolean, initial: boolean): void {
    this.pendingAckState?.retransmitter.stop();
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
        this.logger.warn('sip: no ACK for 2xx', { cseq, initial });
        this.ackTimedOut();
      },
    });
    this.pendingAckState = { retransmitter, offerInOk, initial };
    retransmitter.start();
  }

  /** The ACK for the initial 2xx arrived (inbound legs only). */
  protected initialAcknowledged(): void {
    // An outbound leg sends no initial 2xx.
  }

  /** The ACK's SDP answer was refused; the leg is being hung up. */
  protected ackAnswerRefused(_error: AppError): void {
    // Nothing waits on an ACK to a re-INVITE.
  }

  /** Our 2xx was retransmitted until Timer H without an ACK (§13.3.1.4): the session is ended. */
  protected ackTimedOut(): void {
    if (this.currentState === 'answered') void this.hangup('no-ack');
  }

  /** Ends an answered leg: BYE (§15). */
  protected hangupAnswered(reason: EndReason | undefined): Promise<void> {
    this.finish(reason ?? 'hangup', 'local');
    return this.sendBye();
  }

  /** Whether our unacknowledged 2xx keeps being retransmitted after the leg ended. */
  protected keepsPendingAck(): boolean {
    return false;
  }

  /** The media session: its digits and timeouts become leg events. */
  protected useSession(session: RtpSession, dtmfWhileRinging: boolean): void {
    this.session = session;
    session.events.on('dtmf', (digit, source) => {
      const live = dtmfWhileRinging ? this.currentState !== 'ended' : this.currentState === 'answered';
      if (live) this.events.emit('dtmf', digit, source);
    });
    session.events.on('timeout', () => {
      this.logger.warn('sip: media timeout');
      if (this.currentState === 'answered') void this.hangup('media-failure');
    });
  }

  /** ringing → answered, and the max-duration guard starts. */
  protected markAnswered(): void {
    this.transition('answered');
    this.answeredTime = this.host.clock.now();
    this.maxDurationTimer = this.host.clock.setTimeout(() => {
      this.maxDurationTimer = undefined;
      this.logger.info('sip: max call duration reached');
      void this.hangup('max-duration');
    }, this.host.maxCallDurationMs);
  }

  /** Stops retransmitting our 2xx. */
  protected dropPendingAck(): void {
    this.pendingAckState?.retransmitter.stop();
    this.pendingAckState = undefined;
  }

  /** Our host as it goes in a SIP URI (IPv6 in brackets, RFC 3261 §25.1). */
  protected uriHost(): string {
    return this.host.publicAddress.includes(':') ? `[${this.host.publicAddress}]` : this.host.publicAddress;
  }

  protected async sendBye(): Promise<void> {
    const dialog = this.dialogState;
    if (!dialog) return;
    try {
      const response = await this.host.sendRequest(dialog.createRequest('BYE'));
      this.logger.info('sip: BYE answered', { status: response.status });
    } catch (err) {
      this.logger.warn('sip: BYE failed', { err: err instanceof Error ? err.message : String(err) });
    }
  }

  protected finish(reason: EndReason, by: EndedBy, sipStatus?: number): void {
    if (this.currentState === 'ended') return;
    this.transition('ended');
    this.endedTime = this.host.clock.now();
    const end: LegEnd = sipStatus === undefined ? { reason, by } : { reason, by, sipStatus };
    this.legEnd = end;
    if (this.maxDurationTimer) this.host.clock.clearTimeout(this.maxDurationTimer);
    this.maxDurationTimer = undefined;
    if (!this.keepsPendingAck()) this.dropPendingAck();
    this.settleOnEnd(end);
    this.session?.close();
    this.logger.info('sip: leg ended', { reason, by, sipStatus });
    this.events.emit('ended', end);
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
      this.ackAnswerRefused(toAppError(err, 'SIP_MEDIA_FAILED', 'no usable SDP answer in ACK'));
      void this.hangup('media-failure');
    }
  }

  /** The only place the state changes; illegal moves throw (see the diagram above). */
  private transition(next: LegState): void {
    const allowed = this.currentState === 'ringing' ? next !== 'ringing' : this.currentState === 'answered' && next === 'ended';
    if (!allowed) throw new InvalidStateError(`leg ${this.id}: illegal transition ${this.currentState} → ${next}`);
    this.currentState = next;
  }
}
