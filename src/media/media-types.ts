import type { TypedEmitter } from '../shared/typed-emitter.js';
import type { OfferOptions } from './sdp-negotiator.js';

/**
 * The contract between a signalling engine (sip/, drachtio/) and the media engine.
 * One RtpSession per call leg; one MediaEngine per process, owning the port range and the shared
 * 20 ms clock that paces every stream.
 */
export type PlaybackOutcome = 'completed' | 'stopped';

export interface RtpSessionEvents extends Record<string, unknown[]> {
  /** A completed key press from RFC 4733 telephone-events (end-packet repeats counted once) or injectDtmf(). */
  dtmf: [digit: string, source: 'rfc4733' | 'info'];
  /** No RTP received for the configured media timeout while not on hold. */
  timeout: [];
}

/** Receives each RTP audio payload as it arrives (G.711 bytes, no copy: use it before returning). */
export type AudioListener = (payload: Buffer, codec: 'PCMU' | 'PCMA') => void;

/** Options of RtpSession.record(): a caller's message (留言). */
export interface RecordOptions {
  /** The message ends by itself after this long (wall time). */
  readonly maxMs: number;
  /** …or after this long without a voiced frame (from the start, or from the last voice). */
  readonly silenceMs: number;
}

/** Why a recording ended: stopped (stopRecording / the signal, e.g. on #), too long, silence, or the session closed. */
export type RecordEnd = 'stopped' | 'max-length' | 'silence' | 'closed';

export interface RecordResult {
  readonly end: RecordEnd;
  /** Length of the WAV's audio. */
  readonly durationMs: number;
  /** Of it, frames loud enough to be voice (0: nothing was said). */
  readonly voicedMs: number;
}

/** Options of RtpSession.play(). */
export interface PlayOptions {
  /** Restart the prompt list after its end until stopped or aborted (hold music); play() then never completes. */
  readonly loop?: boolean;
}

export interface RtpSession {
  readonly events: TypedEmitter<RtpSessionEvents>;
  /**
   * Hook for bridging/recording: called with every received audio payload of the negotiated codec
   * (not telephone-events). Unset costs nothing. Optional extension of the contract.
   */
  onAudio?: AudioListener | undefined;
  /** Local UDP port of this stream (even, from RTP_PORT_MIN..RTP_PORT_MAX). */
  readonly localPort: number;
  /** Negotiated audio codec once an offer/answer completed. */
  readonly codec: 'PCMU' | 'PCMA' | undefined;
  /**
   * Answers a remote SDP offer: picks the first codec of the offer we support (PCMU, PCMA), takes the
   * telephone-event payload type from the offer, returns our SDP answer.
   * Throws MediaError with code `SDP_NO_COMMON_CODEC` (→ 488) or `SDP_INVALID` (→ 400/488),
   * `SDP_ADDRESS_REFUSED` (→ 488) for a c= that is not an IP literal, multicast, or a port below 1024,
   * and `SDP_SRTP_REFUSED` (→ 488) for SRTP it will not run (see setSignallingAddress, SRTP_SDES).
   * Nothing is sent to the remote of the first offer until confirmRemote().
   * Also used for re-INVITE offers: a=sendonly/inactive puts the stream on hold (we stop sending).
   */
  answerOffer(offerSdp: string): string;
  /**
   * Our SDP offer (INVITE without SDP, outbound calls): PCMU, PCMA, telephone-event/8000; with
   * `options.webrtc` (the callee is a browser) over UDP/TLS/RTP/SAVPF with ICE-lite and DTLS-SRTP.
   * Offers and answers over UDP/TLS/RTP/SAVPF need an engine with a DTLS certificate (both of ours).
   */
  createOffer(options?: OfferOptions): string;
  /**
   * Applies the remote answer to createOffer(). Throws MediaError like answerOffer.
   * Media may be sent at once: the answer came from the party we offered to.
   */
  acceptAnswer(answerSdp: string): void;
  /**
   * The signalling confirmed the remote of an answerOffer() (the ACK of our 2xx, RFC 3261 §13.3.1.4):
   * only now is media sent to it. Also called for a re-INVITE's ACK: a moved c=/m= applies only then. Until then the SDP may be a forged INVITE's, naming a third party.
   * Optional extension of the contract (an engine without it sends as soon as it knows where).
   */
  confirmRemote?(): void;
  /**
   * The IP the call's signalling came from (the INVITE's transport source) or, for our INVITE, went
   * to; set before the offer/answer. RTP may latch only from it or the SDP connection IP, and media
   * goes to the SDP address before a latch only when the two IPs are equal. Unset: only the SDP IP
   * may latch and nothing is sent before it did. Optional extension of the contract.
   * `transport` ('udp', 'tcp', 'tls', 'ws', 'wss'): only a 'tls' leg exchanges SDES keys (a=crypto,
   * RFC 4568 §8.3: keys in clear signalling protect nothing); SAVP offers over anything else get
   * SDP_SRTP_REFUSED (488), a=crypto on RTP/AVP is ignored. Our offers on a 'tls' leg follow SRTP_SDES.
   */
  setSignallingAddress?(address: string, transport?: string): void;
  /**
   * Plays prompts by name in order on the shared clock; resolves when done or stopped/aborted.
   * With `options.loop` the list restarts until stopped/aborted. While the session is bridged it
   * resolves 'stopped' at once (the bridge owns the stream).
   */
  play(prompts: readonly string[], signal?: AbortSignal, options?: PlayOptions): Promise<PlaybackOutcome>;
  stopPlayback(): void;
  /**
   * Records the remote party's audio (what the caller says, not our prompts) to a mono 8 kHz 16-bit
   * PCM WAV at `path` until `signal` aborts, `options` end it, or the session closes; resolves once
   * the file is complete. Starting a second recording stops the first ('stopped'). Optional extension
   * of the contract (messages, 留言).
   */
  record?(path: string, options: RecordOptions, signal?: AbortSignal): Promise<RecordResult>;
  /** Feeds a digit from another source (SIP INFO) into the same digit stream. */
  injectDtmf(digit: string, source: 'info'): void;
  /** Releases the port and every timer; safe to call twice. */
  close(): void;
}

/** SRTP packets of SDES legs dropped since start, by reason: failed authentication (forged, wrong key, garbage) or replay. */
export interface SrtpDropCounts {
  readonly auth: number;
  readonly replay: number;
}

export interface MediaEngine {
  /** Binds a free RTP port for a new leg; rejects with MediaError `RTP_PORTS_EXHAUSTED` if none. */
  createSession(callId: string): Promise<RtpSession>;
  /** True when a prompt of that name is loaded. */
  hasPrompt(name: string): boolean;
  readonly activeSessions: number;
  close(): Promise<void>;
}

/** Options of a two-party bridge. */
export interface BridgeOptions {
  /**
   * Writes both parties to one stereo 8 kHz 16-bit PCM WAV: left = session `a` (the caller),
   * right = session `b` (the agent). The file is valid (header updated) once the bridge closes.
   */
  readonly recordingPath?: string;
}

export interface MediaBridgeEvents extends Record<string, unknown[]> {
  /** Once, when relaying stopped and the recording (if any) is complete on disk. */
  closed: [];
}

/**
 * Two RTP sessions relayed to each other: audio both ways (transcoded PCMU↔PCMA when the two
 * negotiated different codecs), key presses passed through as RFC 4733 events on the other side
 * (with that side's payload type). While bridged, the sessions' own prompt playback stops.
 */
export interface MediaBridge {
  readonly events: TypedEmitter<MediaBridgeEvents>;
  /** Path of the stereo WAV, when recording. */
  readonly recordingPath: string | undefined;
  /**
   * Stops relaying (each session goes back to silence) and finishes the recording. Safe twice (same
   * promise). Never rejects: a recording that could not be written is logged.
   */
  close(): Promise<void>;
}

/** Implemented by MediaEngine from the bridging issue on. */
export interface MediaBridging {
  bridge(a: RtpSession, b: RtpSession, options?: BridgeOptions): MediaBridge;
}
