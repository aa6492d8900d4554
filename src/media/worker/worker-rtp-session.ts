import type { Logger } from '../../logging/logger.js';
import { TypedEmitter } from '../../shared/typed-emitter.js';
import { MediaError } from '../media-error.js';
import type { PlaybackOutcome, PlayOptions, RecordOptions, RecordResult, RtpSession, RtpSessionEvents } from '../media-types.js';
import { SdpNegotiator, type Codec, type NegotiatedMedia, type OfferOptions } from '../sdp-negotiator.js';
import type { SdesPolicy } from '../srtp/sdes-crypto.js';
import type { DtlsFingerprint } from '../webrtc/dtls-identity.js';
import type { WorkerCommand } from './media-worker-protocol.js';

const DIGIT = /^[0-9*#A-D]$/;

/** What a WorkerRtpSession needs of its engine. */
export interface WorkerSessionOwner {
  post(cmd: WorkerCommand): void;
  hasPrompt(name: string): boolean;
  /** Starts recording in the worker; `done` settles from its 'record-done' (or when the worker is lost). */
  record(session: WorkerRtpSession, path: string, options: RecordOptions): { readonly id: number; readonly done: Promise<RecordResult> };
  /** Called once by close(): the engine forgets the session. */
  onClose(session: WorkerRtpSession): void;
}

interface CurrentPlay {
  readonly id: number;
  readonly resolve: (outcome: PlaybackOutcome) => void;
  readonly reject: (err: unknown) => void;
  readonly cleanup: () => void;
}

/**
 * The main thread's face of an RTP session that lives in a media worker (RtpSession contract of
 * media-types.ts). The offer/answer runs here, synchronously (SdpNegotiator: the SDP string is
 * returned and MediaErrors are thrown at once); the negotiated result goes to the worker, whose
 * RtpMediaSession applies it (applyAnswer/applyAcceptedAnswer). `codec` follows the same rule as
 * RtpMediaSession: a re-INVITE that moves the media takes effect at its ACK (confirmRemote()).
 *
 * play() resolves from the worker's 'play-done'; a newer play, stopPlayback(), an abort, a bridge or
 * close() resolve it 'stopped' here at once, and the worker's late answer for it is ignored.
 * SIP INFO digits (injectDtmf) never reach the worker: they are emitted here, as RtpMediaSession does.
 * onAudio is not offered (a per-packet callback across threads): bridging runs inside the workers.
 */
export class WorkerRtpSession implements RtpSession {
  readonly events = new TypedEmitter<RtpSessionEvents>();
  private readonly negotiator: SdpNegotiator;
  private media: NegotiatedMedia | undefined;
  private pending: NegotiatedMedia | undefined;
  private confirmed = false;
  private playing: CurrentPlay | undefined;
  private nextPlay = 0;
  private closed = false;
  /** The worker holding the stream is gone: plays resolve 'stopped', nothing is posted. */
  private lost = false;
  /** Id of the bridge relaying this session, if any. */
  bridgedBy: number | undefined;

  constructor(
    readonly id: number,
    readonly callId: string,
    readonly localPort: number,
    /** Index of the worker slot holding the stream. */
    readonly slot: number,
    publicAddress: string,
    private readonly owner: WorkerSessionOwner,
    private readonly logger: Logger,
    dtlsFingerprint?: DtlsFingerprint,
    sdesPolicy?: SdesPolicy,
  ) {
    this.negotiator = new SdpNegotiator(publicAddress, localPort, dtlsFingerprint, sdesPolicy);
    this.events.reportListenerErrorsTo((event, err) => {
      logger.error('RTP session listener failed', { callId, event, err });
    });
  }

  get codec(): Codec | undefined {
    return this.media?.codec;
  }

  get isClosed(): boolean {
    return this.closed || this.lost;
  }

  /** See RtpSession.setSignallingAddress: the transport stays here, where the SDP (and its keys) is negotiated. */
  setSignallingAddress(address: string, transport?: string): void {
    if (transport !== undefined) this.negotiator.setSignallingTransport(transport);
    this.post({ type: 'signalling-address', session: this.id, address });
  }

  answerOffer(offerSdp: string): string {
    this.assertOpen();
    const { sdp, media, sdesIgnored } = this.negotiator.answer(offerSdp);
    if (sdesIgnored !== undefined) this.logger.warn('SRTP offer not used', { callId: this.callId, why: sdesIgnored });
    const current = this.media;
    if (current === undefined || !this.confirmed || sameRemote(current.remote, media.remote)) {
      this.pending = undefined;
      this.media = media;
    } else {
      this.pending = media;
    }
    this.post({ type: 'answer', session: this.id, media });
    return sdp;
  }

  createOffer(options?: OfferOptions): string {
    this.assertOpen();
    return this.negotiator.offer(options);
  }

  acceptAnswer(answerSdp: string): void {
    this.assertOpen();
    const media = this.negotiator.acceptAnswer(answerSdp);
    this.pending = undefined;
    this.media = media;
    this.confirmed = true;
    this.post({ type: 'accept', session: this.id, media });
    this.repeatLoss();
  }

  confirmRemote(): void {
    if (this.closed) return;
    if (this.pending !== undefined) this.media = this.pending;
    this.pending = undefined;
    this.confirmed = true;
    this.post({ type: 'confirm', session: this.id });
    this.repeatLoss();
  }

  play(prompts: readonly string[], signal?: AbortSignal, options: PlayOptions = {}): Promise<PlaybackOutcome> {
    for (const name of prompts) {
      if (!this.owner.hasPrompt(name)) return Promise.reject(new MediaError('PROMPT_NOT_FOUND', `prompt "${name}" is not loaded`));
    }
    // The worker's play() stops the one before by itself: settle it here, post nothing.
    this.settle('stopped');
    if (this.isClosed || this.bridgedBy !== undefined || signal?.aborted === true) return Promise.resolve('stopped');
    const id = ++this.nextPlay;
    const onAbort = (): void => {
      if (this.playing?.id === id) this.stopPlayback();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    const done = new Promise<PlaybackOutcome>((resolve, reject) => {
      this.playing = { id, resolve, reject, cleanup: () => signal?.removeEventListener('abort', onAbort) };
    });
    this.post({ type: 'play', session: this.id, play: id, prompts, loop: options.loop === true });
    return done;
  }

  stopPlayback(): void {
    if (this.playing === undefined) return;
    this.settle('stopped');
    this.post({ type: 'stop-playback', session: this.id });
  }

  /**
   * Records in the worker (see RtpSession.record). The promise settles from the worker's answer, which
   * comes once the WAV is complete, even when the session closes first (a caller hanging up mid-message).
   */
  record(path: string, options: RecordOptions, signal?: AbortSignal): Promise<RecordResult> {
    if (this.isClosed || signal?.aborted === true) return Promise.resolve({ end: this.isClosed ? 'closed' : 'stopped', durationMs: 0, voicedMs: 0 });
    const { id, done } = this.owner.record(this, path, options);
    const onAbort = (): void => {
      this.post({ type: 'record-stop', session: this.id, record: id });
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    return done.finally(() => {
      signal?.removeEventListener('abort', onAbort);
    });
  }

  injectDtmf(digit: string, source: 'info'): void {
    if (this.isClosed) return;
    const d = digit.toUpperCase();
    if (!DIGIT.test(d)) {
      this.logger.warn('ignoring invalid DTMF digit', { callId: this.callId, source });
      return;
    }
    this.events.emit('dtmf', d, source);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.settle('stopped');
    this.post({ type: 'close', session: this.id });
    this.events.removeAllListeners();
    this.owner.onClose(this);
  }

  /** The worker finished (or failed) play `id`. */
  playEnded(id: number, outcome: PlaybackOutcome | MediaError): void {
    const p = this.playing;
    if (p?.id !== id) return;
    this.playing = undefined;
    p.cleanup();
    if (outcome instanceof MediaError) p.reject(outcome);
    else p.resolve(outcome);
  }

  /** A bridge took the stream: the playing prompt stops (the worker stops it when the bridge attaches). */
  markBridged(bridge: number): void {
    this.bridgedBy = bridge;
    this.settle('stopped');
  }

  /**
   * The worker holding the stream failed: plays resolve 'stopped' and 'timeout' is emitted, so the
   * call ends as it would when the remote's media stops (the stream is gone).
   */
  workerLost(): void {
    if (this.isClosed) return;
    this.lost = true;
    this.settle('stopped');
    this.events.emit('timeout');
  }

  /**
   * A leg still ringing when its worker failed ignored the first 'timeout' (only answered legs hang
   * up on it): once the call is answered (ACK, or the answer to our offer) it hears it again, after
   * the signalling's own state change.
   */
  private repeatLoss(): void {
    if (!this.lost || this.closed) return;
    setImmediate(() => {
      if (!this.closed) this.events.emit('timeout');
    });
  }

  private settle(outcome: PlaybackOutcome): void {
    const p = this.playing;
    this.playing = undefined;
    if (p === undefined) return;
    p.cleanup();
    p.resolve(outcome);
  }

  private post(cmd: WorkerCommand): void {
    if (!this.lost) this.owner.post(cmd);
  }

  private assertOpen(): void {
    if (this.closed) throw new MediaError('MEDIA_CLOSED', 'RTP session is closed');
  }
}

function sameRemote(a: { address: string; port: number } | undefined, b: { address: string; port: number } | undefined): boolean {
  return a?.address === b?.address && a?.port === b?.port;
}
