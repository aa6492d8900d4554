import { AppError } from '../shared/app-error.js';
import type { TypedEmitter } from '../shared/typed-emitter.js';
import type { InboundRoute } from './inbound-gate.js';

/**
 * The seam between call logic and signalling. Both engines (sip/ and, later, drachtio/) implement
 * these interfaces; calls/ and the domain never see a SIP message.
 *
 * Leg states (a leg only moves forward; `transition()` in the engines throws on an illegal move):
 * ```
 *   ringing ──answer()──► answered ──hangup()/BYE──► ended
 *      └──── reject()/CANCEL/no ACK ────────────────────┘
 * ```
 */
export type LegState = 'ringing' | 'answered' | 'ended';

export type LegDirection = 'inbound' | 'outbound';

/** Why a leg ended, as stored on the call record. */
export type EndReason =
  | 'hangup' // a BYE from either side
  | 'cancelled' // CANCEL before answer (inbound) or we cancelled (outbound)
  | 'rejected' // final non-2xx before answer
  | 'no-ack' // our 2xx was never acknowledged (RFC 3261 §13.3.1.4)
  | 'max-duration' // MAX_CALL_DURATION_S reached
  | 'shutdown' // drain period over on SIGTERM
  | 'media-failure' // codec negotiation or RTP failed
  | 'error';

/** Who ended the leg: the far end (`remote`) or this server (`local`). */
export type EndedBy = 'remote' | 'local';

export interface LegEnd {
  readonly reason: EndReason;
  readonly by: EndedBy;
  /** SIP status sent or received when the leg ended before answer, e.g. 487 for CANCEL. */
  readonly sipStatus?: number;
}

export type DtmfSource = 'rfc4733' | 'info';

/** Result of playing prompts: all played, stopped by stopPlayback()/abort, or the leg ended meanwhile. */
export type PlayOutcome = 'completed' | 'stopped' | 'ended';

export interface PlayOptions {
  /** Repeat the prompt list until stopPlayback(), the signal, or the end of the leg. */
  readonly loop?: boolean;
}

/** Options of CallLeg.record(): a caller's message (留言). */
export interface RecordOptions {
  /** The message ends by itself after this long. */
  readonly maxMs: number;
  /** …or after this long without voice. */
  readonly silenceMs: number;
}

/** How a recording ended (stopped: by the signal, e.g. the caller's #), its length and how much of it was voice. */
export interface RecordResult {
  readonly end: 'stopped' | 'max-length' | 'silence' | 'closed';
  readonly durationMs: number;
  readonly voicedMs: number;
}

export interface CallLegEvents extends Record<string, unknown[]> {
  /** One key press, already de-duplicated (RFC 4733 end-packet repeats count once). Digit: 0-9 * # A-D. */
  dtmf: [digit: string, source: DtmfSource];
  answered: [];
  /** Fired once, whatever the cause. */
  ended: [end: LegEnd];
  /** The far end put us on hold (true) or resumed (false) by re-INVITE. */
  hold: [held: boolean];
}

export interface CallLeg {
  /** The SIP Call-ID (or engine call id): the call id on records and in logs. */
  readonly id: string;
  readonly direction: LegDirection;
  /** User part of From (the caller's number for inbound). */
  readonly from: string;
  /** User part of the request URI / To (the dialled number for inbound). */
  readonly to: string;
  readonly state: LegState;
  readonly events: TypedEmitter<CallLegEvents>;
  /** Epoch ms when the INVITE arrived (inbound) or was sent (outbound). */
  readonly startedAt: number;
  readonly answeredAt: number | undefined;
  readonly endedAt: number | undefined;
  readonly end: LegEnd | undefined;
  /** Inbound: the trunk it came through and the flow its number selects (undefined: the inbound flow). */
  readonly route?: InboundRoute | undefined;

  /** Sends 200 OK with our SDP; resolves once the ACK arrives, rejects if the leg ends first. */
  answer(): Promise<void>;
  /** Final non-2xx response to a ringing inbound leg. */
  reject(status: number, reason?: string): void;
  /** Ends the leg from our side (BYE when answered, CANCEL/reject when ringing). Safe to call twice. */
  hangup(reason?: EndReason): Promise<void>;
  /**
   * Plays the named prompts in order (names from the prompt library, e.g. `welcome`, `digit-5`).
   * With `loop`, starts again after the last one until stopped, aborted or the leg ends (hold music).
   */
  play(prompts: readonly string[], signal?: AbortSignal, options?: PlayOptions): Promise<PlayOutcome>;
  stopPlayback(): void;
  /**
   * Records what the far end says (mono 8 kHz WAV at `path`) until `signal` aborts, `options` end it
   * or the leg ends; resolves once the file is complete. Optional: an engine without it takes no messages.
   */
  record?(path: string, options: RecordOptions, signal?: AbortSignal): Promise<RecordResult>;
}

export interface TelephonyEvents extends Record<string, unknown[]> {
  /**
   * A new inbound leg in state `ringing` (100 Trying already sent). The listener answers or rejects it.
   * A leg the caller left (CANCEL) or that was refused before it could be offered comes `ended`: the
   * listener only records it.
   */
  incoming: [leg: CallLeg];
}

export interface Telephony {
  readonly events: TypedEmitter<TelephonyEvents>;
  /** Legs not yet ended. */
  readonly activeCalls: number;
  /** Binds sockets; rejects with an AppError naming the address when a port cannot be bound. */
  start(): Promise<void>;
  /**
   * Stops taking calls (new INVITEs get 503), waits up to `timeoutMs` for active calls to end,
   * then hangs up what is left with reason `shutdown`.
   */
  drain(timeoutMs: number): Promise<void>;
  /** Closes sockets and timers. Safe to call twice. */
  close(): Promise<void>;
}

/** Outbound call request (UAC). */
export interface DialRequest {
  /**
   * Where to call: a SIP URI with an IP literal (`sip:8001@127.0.0.1:5070`), a registered
   * extension (`ext:8001`, looked up in the registrar), or a number sent through the configured
   * trunk / outbound proxy (`tel:13800138000`).
   */
  readonly target: string;
  /** User part of our From (e.g. the caller's number when offering a queued call, or 12345). */
  readonly fromUser: string;
  /** Display name of our From (UTF-8), e.g. the queue name shown on an agent's softphone. */
  readonly fromDisplayName?: string;
  /** Give up (CANCEL) when not answered within this long. */
  readonly timeoutMs: number;
  /** Extra headers, e.g. `{ 'X-Queue': 'general' }` (latin1-safe values only). */
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * The trunk a `tel:` target goes through (a campaign's trunk, issue 13): its proxy (SIP URI with an
   * IP literal host) and the digest credentials it may ask for. Absent: the engine's default proxy.
   */
  readonly trunk?: DialTrunk | undefined;
}

export interface DialTrunk {
  readonly name: string;
  readonly proxy: string;
  readonly credentials?: { readonly username: string; readonly password: string } | undefined;
}

/** Why an outbound call was not answered. */
export type DialFailure = 'busy' | 'no-answer' | 'declined' | 'unavailable' | 'not-found' | 'failed' | 'cancelled';

/** An outbound call that was not answered: code `DIAL_FAILED`, why, and the final SIP status when one came. */
export class DialError extends AppError {
  readonly failure: DialFailure;
  readonly sipStatus: number | undefined;

  constructor(failure: DialFailure, message: string, options: { sipStatus?: number; cause?: unknown } = {}) {
    super('DIAL_FAILED', message, options.cause === undefined ? undefined : { cause: options.cause });
    this.failure = failure;
    this.sipStatus = options.sipStatus;
  }
}

export interface OutboundCallLegEvents extends CallLegEvents {
  /** 180 Ringing or 183 Session Progress received. */
  progress: [status: number];
}

export interface BridgeHandle {
  readonly recordingPath: string | undefined;
  /** Stops relaying; both legs stay up (hang them up separately). Safe twice. */
  close(): Promise<void>;
}

/** Telephony features built with the agents issue: registrar, outbound calls, bridging. */
export interface TelephonyPbx {
  /**
   * Places an outbound call. Resolves with the answered leg (ACK sent); rejects with a DialError
   * (code `DIAL_FAILED`, `failure` one of DialFailure, `sipStatus` when a final response came).
   * `signal` aborts a ringing attempt (CANCEL), rejecting with failure `cancelled`.
   */
  dial(request: DialRequest, signal?: AbortSignal): Promise<CallLeg>;
  /** True while the extension has an unexpired registration. */
  isRegistered(extension: string): boolean;
  /** Relays two answered legs' media; `a` is recorded on the left channel, `b` on the right. */
  bridge(a: CallLeg, b: CallLeg, options?: { recordingPath?: string }): BridgeHandle;
}

/** Where the registrar finds an extension's credentials (RFC 3261 §22, digest with HA1 = MD5(user:realm:password)). */
export interface SipCredentialStore {
  /** HA1 for `username` in `realm`, or undefined when there is no such SIP user. */
  findHa1(username: string, realm: string): Promise<string | undefined>;
}

export interface RegistrationEvents extends Record<string, unknown[]> {
  /** An extension registered, refreshed, unregistered or expired. */
  registration: [extension: string, registered: boolean];
}
