import type { SipNameAddr } from 'sip';
import type { Logger } from '../logging/logger.js';
import type { RtpSession } from '../media/media-types.js';
import { InvalidStateError } from '../shared/app-error.js';
import { maskPhone } from '../shared/mask.js';
import { TypedEmitter } from '../shared/typed-emitter.js';
import { DialError, type CallLeg, type EndReason, type LegEnd, type OutboundCallLegEvents } from '../telephony/call-leg.js';
import { OutboundInvite, type InviteHost, type InviteSpec } from './outbound-invite.js';
import type { SipDialog } from './sip-dialog.js';
import { SipLegBase, type LegHost } from './sip-leg-base.js';
import { ALLOW, SUPPORTED, utf8ToLatin1, type SipRequest } from './sip-message.js';
import { contactTransport, isFlowOnly, type Endpoint } from './sip-types.js';

export type OutboundLegHost = LegHost & InviteHost;

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
 * for 180/183; `ended` exactly once. `localTag` is our From tag: the local tag of the dialog (§12.1.2).
 */
export class SipOutboundCallLeg extends SipLegBase<OutboundLegHost> implements CallLeg {
  readonly events = new TypedEmitter<OutboundCallLegEvents>();
  readonly direction = 'outbound' as const;
  readonly connected: Promise<SipOutboundCallLeg>;
  private attempt: OutboundInvite | undefined;
  private nextHop: Endpoint | undefined;
  private settle: { resolve: (leg: SipOutboundCallLeg) => void; reject: (e: Error) => void } | undefined;

  constructor(host: OutboundLegHost, init: OutboundLegInit, parentLogger: Logger) {
    super(host, { id: init.callId, from: init.fromUser, fromDisplayName: init.fromDisplayName, to: init.to }, parentLogger);
    this.connected = new Promise((resolve, reject) => {
      this.settle = { resolve, reject };
    });
    // The caller may only listen to `ended`; a rejection nobody awaits is not an error here.
    this.connected.catch(() => undefined);
    this.logger.info('sip: outbound call', { from: maskPhone(this.from), to: maskPhone(this.to) });
  }

  /** Sends the INVITE with the session's offer (the engine resolved the target and made the session). */
  start(spec: InviteSpec, session: RtpSession, signal: AbortSignal | undefined): void {
    if (this.state !== 'ringing') {
      session.close();
      return;
    }
    // The IP our INVITE goes to stands for the callee's signalling address (see RtpSession).
    // Its transport decides SRTP: on a TLS leg our offer carries SDES keys as SRTP_SDES says.
    session.setSignallingAddress?.(spec.next.address, spec.next.transport);
    this.nextHop = spec.next;
    this.useSession(session, false);
    const display = this.fromDisplayName === undefined ? undefined : `"${utf8ToLatin1(this.fromDisplayName).replace(/["\\]/g, '\\$&')}"`;
    const from: SipNameAddr = {
      ...(display === undefined ? {} : { name: display }),
      uri: `sip:${encodeURIComponent(this.from)}@${this.uriHost()}`,
      params: { tag: this.localTag },
    };
    // A browser phone takes only WebRTC media (ICE, DTLS-SRTP); the ACD never needs to know.
    const offer = session.createOffer(spec.webrtc === true ? { webrtc: true } : undefined);
    this.attempt = new OutboundInvite(this.host, this, spec, from, session, offer, signal);
    this.attempt.start();
  }

  /** The dial failed before any INVITE (unknown target, no media): ends the leg and rejects `connected`. */
  failBeforeInvite(error: DialError, end: LegEnd): void {
    this.failed(error, end);
  }

  // ---- InviteOwner: what the attempt reports ----

  progress(status: number): void {
    if (this.state === 'ringing') this.events.emit('progress', status);
  }

  confirmed(dialog: SipDialog): void {
    this.dialogState = dialog;
    this.markAnswered();
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

  /** Engine closing: CANCEL or BYE best effort, nothing awaited. Safe twice. */
  close(): void {
    if (this.state === 'ringing') this.attempt?.abandon();
    if (this.state === 'ringing') this.finish('shutdown', 'local');
    if (this.state === 'answered') void this.hangup('shutdown');
    this.dropPendingAck();
  }

  // ---- in-dialog (engine and InDialogHandler) ----

  matches(req: SipRequest): boolean {
    return this.dialogState?.matches(req) === true;
  }

  /** BYE from the far end (§15.1.2), answered 200 by the handler. */
  remoteHangup(): void {
    this.finish('hangup', 'remote');
  }

  /** Headers of our 2xx to a re-INVITE: Contact, Allow, Supported, Content-Type. */
  okHeaders(): Record<string, string> {
    return {
      contact: `<sip:${encodeURIComponent(this.from)}@${this.uriHost()}:${this.host.portFor(this.nextHop?.transport ?? 'udp')}${contactTransport(this.nextHop?.transport ?? 'udp')}>`,
      allow: ALLOW,
      supported: SUPPORTED,
      'content-type': 'application/sdp',
    };
  }

  protected override earlyFlow(): Endpoint | undefined {
    return this.nextHop !== undefined && isFlowOnly(this.nextHop.transport) ? this.nextHop : undefined;
  }

  /** The callee's WebSocket closed while it rang: it cannot answer, nor hear a CANCEL. */
  protected flowLostWhileRinging(): void {
    if (this.attempt) this.attempt.lose();
    else this.finish('error', 'remote');
  }

  protected hangupRinging(reason: EndReason | undefined): Promise<void> {
    const ended = new Promise<void>((resolve) => this.events.once('ended', () => { resolve(); }));
    if (this.attempt) this.attempt.cancel('cancelled');
    else this.finish(reason ?? 'cancelled', 'local');
    return ended;
  }

  protected settleOnEnd(end: LegEnd): void {
    // Settles only if the attempt did not already (hangup or close before the INVITE went out).
    this.settle?.reject(new DialError(end.reason === 'shutdown' ? 'failed' : 'cancelled', `dial ended: ${end.reason} by ${end.by}`));
  }
}
