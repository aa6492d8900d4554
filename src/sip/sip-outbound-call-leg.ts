import type { SipNameAddr, SipOutgoingMessage } from 'sip';
import type { Logger } from '../logging/logger.js';
import type { RtpSession } from '../media/media-types.js';
import { InvalidStateError, toAppError } from '../shared/app-error.js';
import type { Timer } from '../shared/clock.js';
import { maskPhone } from '../shared/mask.js';
import { TypedEmitter } from '../shared/typed-emitter.js';
import {
  DialError,
  type CallLeg, type EndReason, type EndedBy, type LegEnd, type LegState, type OutboundCallLegEvents, type PlayOptions, type PlayOutcome,
} from '../telephony/call-leg.js';
import { InDialogHandler, type DialogLeg } from './in-dialog-handler.js';
import { InviteOkRetransmitter } from './invite-ok-retransmitter.js';
import { OutboundInvite, type InviteHost, type InviteSpec } from './outbound-invite.js';
import type { ServerTransaction } from './server-transaction.js';
import type { LegHost } from './sip-call-leg.js';
import type { SipDialog } from './sip-dialog.js';
import { SipError } from './sip-error.js';
import { ALLOW, SUPPORTED, bodyText, newTag, utf8ToLatin1, type SipRequest } from './sip-message.js';

export type OutboundLegHost = LegHost & InviteHost;

/** The 2xx to a re-INVITE from the far end, waiting for its ACK (§13.3.1.4). */
interface PendingAck {
  readonly retransmitter: InviteOkRetransmitter;
  readonly offerInOk: boolean;
}

export interface OutboundLegInit {
  readonly callId: string;
  readonly fromUser: string;
  readonly fromDisplayName: string | undefined;
  /** User part of the target (extension or number). */
  readonly to: string;
}

/**
 * An outbound call leg of the embedded SIP engine (UAC side of one INVITE dialog).
 *
 * States (`transition()` throws InvalidStateError on any other move):
 * ```
 *   ringing ──2xx: ACK sent──► answered ──BYE (either side) / max duration / media timeout──► ended
 *      └──── non-2xx final / CANCEL (timeout, abort, hangup) / no response ─────────────────┘
 * ```
 * `connected` resolves with the leg once answered, or rejects with a DialError. `progress` is emitted
 * for 180/183; `ended` exactly once.
 */
export class SipOutboundCallLeg implements CallLeg, DialogLeg {
  readonly events = new TypedEmitter<OutboundCallLegEvents>();
  readonly direction = 'outbound' as const;
  readonly id: string;
  readonly from: string;
  readonly fromDisplayName: string | undefined;
  readonly to: string;
  readonly startedAt: number;
  /** Our From tag: the local tag of the dialog (§12.1.2). */
  readonly localTag = newTag();
  readonly logger: Logger;
  readonly connected: Promise<SipOutboundCallLeg>;
  private currentState: LegState = 'ringing';
  private answeredTime: number | undefined;
  private endedTime: number | undefined;
  private legEnd: LegEnd | undefined;
  private session: RtpSession | undefined;
  private dialogState: SipDialog | undefined;
  private pendingAckState: PendingAck | undefined;
  private attempt: OutboundInvite | undefined;
  private hangingUp: Promise<void> | undefined;
  private maxDurationTimer: Timer | undefined;
  private settle: { resolve: (leg: SipOutboundCallLeg) => void; reject: (e: Error) => void } | undefined;
  private readonly inDialog: InDialogHandler;

  constructor(
    private readonly host: OutboundLegHost,
    init: OutboundLegInit,
    parentLogger: Logger,
  ) {
    this.id = init.callId;
    this.from = init.fromUser;
    this.fromDisplayName = init.fromDisplayName;
    this.to = init.to;
    this.startedAt = host.clock.now();
    this.logger = parentLogger.child({ callId: this.id });
    this.inDialog = new InDialogHandler(this);
    this.connected = new Promise((resolve, reject) => {
      this.settle = { resolve, reject };
    });
    // The caller may only listen to `ended`; a rejection nobody awaits is not an error here.
    this.connected.catch(() => undefined);
    this.logger.info('sip: outbound call', { from: maskPhone(this.from), to: maskPhone(this.to) });
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

  /** Sends the INVITE with the session's offer (the engine resolved the target and made the session). */
  start(spec: InviteSpec, session: RtpSession, signal: AbortSignal | undefined): void {
    if (this.currentState !== 'ringing') {
      session.close();
      return;
    }
    this.session = session;
    session.events.on('dtmf', (digit, source) => {
      if (this.currentState === 'answered') this.events.emit('dtmf', digit, source);
    });
    session.events.on('timeout', () => {
      this.logger.warn('sip: media timeout');
      if (this.currentState === 'answered') void this.hangup('media-failure');
    });
    const display = this.fromDisplayName === undefined ? undefined : `"${utf8ToLatin1(this.fromDisplayName).replace(/["\\]/g, '\\$&')}"`;
    const from: SipNameAddr = {
      ...(display === undefined ? {} : { name: display }),
      uri: `sip:${encodeURIComponent(this.from)}@${this.host.publicAddress.includes(':') ? `[${this.host.publicAddress}]` : this.host.publicAddress}`,
      params: { tag: this.localTag },
    };
    this.attempt = new OutboundInvite(this.host, this, spec, from, session, session.createOffer(), signal);
    this.attempt.start();
  }

  /** The dial failed before any INVITE (unknown target, no media): ends the leg and rejects `connected`. */
  failBeforeInvite(error: DialError, end: LegEnd): void {
    this.failed(error, end);
  }

  // ---- InviteOwner: what the attempt reports ----

  progress(status: number): void {
    if (this.currentState === 'ringing') this.events.emit('progress', status);
  }

  confirmed(dialog: SipDialog): void {
    this.dialogState = dialog;
    this.transition('answered');
    this.answeredTime = this.host.clock.now();
    this.maxDurationTimer = this.host.clock.setTimeout(() => {
      this.maxDurationTimer = undefined;
      this.logger.info('sip: max call duration reached');
      void this.hangup('max-duration');
    }, this.host.maxCallDurationMs);
    this.logger.info('sip: outbound call answered');
    this.settle?.resolve(this);
    this.events.emit('answered');
  }

  failed(error: DialError, end: LegEnd): void {
    this.logger.info('sip: outbound call not answered', { failure: error.failure, sipStatus: error.sipStatus });
    this.settle?.reject(error);
    this.finish(end.reason, end.by, end.sipStatus);
  }

  // ---- CallLeg ----

  /** An outbound leg is answered by the far end: resolves when it is. */
  async answer(): Promise<void> {
    await this.connected;
  }

  reject(): void {
    throw new InvalidStateError('an outbound leg cannot be rejected; use hangup()');
  }

  hangup(reason?: EndReason): Promise<void> {
    if (this.hangingUp) return this.hangingUp;
    if (this.currentState === 'ended') return Promise.resolve();
    if (this.currentState === 'ringing') {
      const ended = new Promise<void>((resolve) => this.events.once('ended', () => { resolve(); }));
      if (this.attempt) this.attempt.cancel('cancelled');
      else this.finish(reason ?? 'cancelled', 'local');
      this.hangingUp = ended;
      return ended;
    }
    this.finish(reason ?? 'hangup', 'local');
    this.hangingUp = this.sendBye();
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

  /** Engine closing: CANCEL or BYE best effort, nothing awaited. Safe twice. */
  close(): void {
    if (this.currentState === 'ringing') this.attempt?.abandon();
    if (this.currentState === 'ringing') this.finish('shutdown', 'local');
    if (this.currentState === 'answered') void this.hangup('shutdown');
    this.pendingAckState?.retransmitter.stop();
    this.pendingAckState = undefined;
  }

  // ---- in-dialog (engine and InDialogHandler) ----

  matches(req: SipRequest): boolean {
    return this.dialogState?.matches(req) === true;
  }

  handleRequest(req: SipRequest, tx: ServerTransaction | undefined): void {
    this.inDialog.handle(req, tx);
  }

  /** ACK for our 2xx to a re-INVITE (§13.3.1.4); carries the answer when our 2xx had the offer (§13.2.1). */
  acknowledge(req: SipRequest): void {
    const pending = this.pendingAckState;
    if (!pending) return;
    pending.retransmitter.stop();
    this.pendingAckState = undefined;
    if (!pending.offerInOk || this.currentState !== 'answered') return;
    try {
      if (req.body.length === 0 || req.contentType !== 'application/sdp') throw new SipError('SIP_MEDIA_FAILED', 'ACK carries no SDP answer');
      this.session?.acceptAnswer(bodyText(req));
    } catch (err) {
      this.logger.warn('sip: no usable answer in ACK', { err: toAppError(err, 'SIP_MEDIA_FAILED', 'bad answer').message });
      void this.hangup('media-failure');
    }
  }

  expectAck(response: SipOutgoingMessage, cseq: number, req: SipRequest, offerInOk: boolean): void {
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
        this.logger.warn('sip: no ACK for 2xx to re-INVITE', { cseq });
        if (this.currentState === 'answered') void this.hangup('no-ack');
      },
    });
    this.pendingAckState = { retransmitter, offerInOk };
    retransmitter.start();
  }

  /** BYE from the far end (§15.1.2), answered 200 by the handler. */
  remoteHangup(): void {
    this.finish('hangup', 'remote');
  }

  /** Headers of our 2xx to a re-INVITE: Contact, Allow, Supported, Content-Type. */
  okHeaders(): Record<string, string> {
    const host = this.host.publicAddress.includes(':') ? `[${this.host.publicAddress}]` : this.host.publicAddress;
    return {
      contact: `<sip:${encodeURIComponent(this.from)}@${host}:${this.host.port}>`,
      allow: ALLOW,
      supported: SUPPORTED,
      'content-type': 'application/sdp',
    };
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
    if (this.maxDurationTimer) this.host.clock.clearTimeout(this.maxDurationTimer);
    this.maxDurationTimer = undefined;
    this.pendingAckState?.retransmitter.stop();
    this.pendingAckState = undefined;
    // Settles only if the attempt did not already (hangup or close before the INVITE went out).
    this.settle?.reject(new DialError(reason === 'shutdown' ? 'failed' : 'cancelled', `dial ended: ${reason} by ${by}`));
    this.session?.close();
    this.logger.info('sip: leg ended', { reason, by, sipStatus });
    this.events.emit('ended', this.legEnd);
  }

  private transition(next: LegState): void {
    const allowed = this.currentState === 'ringing' ? next !== 'ringing' : this.currentState === 'answered' && next === 'ended';
    if (!allowed) throw new InvalidStateError(`leg ${this.id}: illegal transition ${this.currentState} → ${next}`);
    this.currentState = next;
  }
}
