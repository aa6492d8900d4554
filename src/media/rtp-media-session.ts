import { randomInt } from 'node:crypto';
import type { RemoteInfo, Socket } from 'node:dgram';
import { performance } from 'node:perf_hooks';
import type { Logger } from '../logging/logger.js';
import { TypedEmitter } from '../shared/typed-emitter.js';
import { DtmfReceiver } from './dtmf-receiver.js';
import type { ClockSubscriber, MediaClock } from './media-clock.js';
import { MediaError } from './media-error.js';
import type { AudioListener, PlaybackOutcome, PlayOptions, RecordEnd, RecordOptions, RecordResult, RtpSession, RtpSessionEvents } from './media-types.js';
import { MessageRecorder } from './message-recorder.js';
import { FRAME_BYTES, Playback, silenceFrame } from './playback.js';
import type { Prompt, PromptLibrary } from './prompt-library.js';
import { maskAddress } from './mask-address.js';
import { encodeRtp, parseRtp, type RtpPacket } from './rtp-packet.js';
import { RtpSourceLatch, plainIp } from './rtp-source-latch.js';
import { SdpNegotiator, type Codec, type NegotiatedMedia, type OfferOptions } from './sdp-negotiator.js';
import type { SdesPolicy } from './srtp/sdes-crypto.js';
import { SdesStream } from './srtp/sdes-stream.js';
import { TimestampMapper, tsDiff } from './timestamp-mapper.js';
import type { DtlsIdentity } from './webrtc/dtls-identity.js';
import { loadedWebRtcTransport, loadWebRtcTransport } from './webrtc/webrtc-loader.js';
import type { WebRtcMedia } from './webrtc/webrtc-sdp.js';
import type { WebRtcTransport } from './webrtc/webrtc-transport.js';

const DIGIT = /^[0-9*#A-D]$/;
/** Datagrams kept while the WebRTC transport's module loads (the browser's first ICE checks). */
const MAX_HELD_DATAGRAMS = 64;
/** A flood of forged packets gives one log line a minute per call, not one per packet. */
const FOREIGN_LOG_INTERVAL_MS = 60_000;

export interface RtpMediaSessionOptions {
  callId: string;
  socket: Socket;
  localPort: number;
  publicAddress: string;
  clock: MediaClock;
  prompts: PromptLibrary;
  logger: Logger;
  /** 0 disables the media timeout. */
  mediaTimeoutMs: number;
  /** Send silence frames while no prompt plays (keeps NAT bindings and softphone jitter buffers alive). */
  comfortSilence: boolean;
  /** A latched source is replaced only after it has been silent this long (see RtpSourceLatch). */
  relatchSilenceMs: number;
  /** Called for each packet dropped because it came from a source other than the latched one. */
  onForeignPacket?: () => void;
  /** SRTP_SDES: SDES-SRTP on legs whose signalling is TLS (default off). */
  sdesPolicy?: SdesPolicy | undefined;
  /** Called for each SRTP packet dropped: it failed authentication (forged, wrong key, garbage) or was a replay. */
  onSrtpDropped?: (reason: 'auth' | 'replay') => void;
  /** The process's DTLS certificate: enables WebRTC media (UDP/TLS/RTP/SAVPF) on this session. */
  dtls?: DtlsIdentity | undefined;
  /** Called once by close(): the engine releases the port. */
  onClose: (session: RtpMediaSession) => void;
}

/** What a bridge attaches to a session: it receives the session's packets as they arrive. */
export interface RelaySink {
  /** A packet of the negotiated audio codec (payload is a view: use it before returning). */
  audio(packet: RtpPacket, codec: Codec, arrivedAt: number): void;
  /** A packet of the negotiated telephone-event payload type (already fed to the 'dtmf' event). */
  event(packet: RtpPacket): void;
  /** The session is closing. */
  sessionClosed(): void;
}

/**
 * One RTP stream of a call leg on its own UDP port (see media-types.ts for the contract).
 *
 * Sending is driven by the engine's shared 20 ms MediaClock: each tick sends one packet — the next
 * prompt frame while playing, else a silence frame (when comfortSilence) — to the remote, once an
 * offer/answer told us where, while our direction allows sending. RTP timestamps follow the clock's
 * tick number, so they stay true to wall time across gaps.
 *
 * While a bridge is attached (attachRelay) the clock sends nothing: the stream carries the other
 * party's packets, re-stamped with our SSRC, sequence numbers and a timeline continuous with ours
 * (TimestampMapper); timestamps never go back when the bridge starts or stops.
 *
 * Symmetric RTP (RFC 4961) for NAT: we send to the latched source once an RTP packet of the negotiated
 * payload types arrived. Only the SDP connection IP and the IP the call's signalling came from
 * (setSignallingAddress(), any port) may latch; packets from any other IP, and once latched from any
 * other source or SSRC, are dropped and counted (RtpSourceLatch has the rules). Before a source is
 * latched we send to the SDP address only when its IP is the signalling IP (phones, SBCs anchoring
 * media); otherwise nothing is sent until the remote's first RTP latches: an INVITE naming a third
 * party in c= (reflection) then gets the third party nothing, even once ACKed from the attacker's host.
 *
 * Nothing is sent after answerOffer() until the signalling confirms the remote (confirmRemote(): the
 * ACK of our 2xx): the SDP of an unacknowledged INVITE may name a third party, and one forged INVITE
 * would otherwise aim 32 s of packets at it. Our own offer answered (acceptAnswer()) needs no wait.
 * A re-INVITE that keeps c= and the m= port keeps the latch; one that moves the media takes effect only
 * at its ACK (confirmRemote()), with a new latch under the same rules.
 *
 * WebRTC media (an offer or answer over UDP/TLS/RTP/SAVPF, with `dtls` set): the same stream, clock,
 * playback, bridge and recording, on the same port, through a WebRtcTransport (ICE-lite, DTLS-SRTP,
 * rtcp-mux). The source latch is then ICE's: media goes to the address a signed connectivity check
 * proved, and only packets from proved addresses that pass SRTP authentication are taken.
 *
 * SDES-SRTP (RFC 4568: a=crypto keys in the SDP of a TLS leg): the same stream, latch and rules, with
 * every packet protected and unprotected by SdesSrtp (werift's SRTP). A packet must authenticate
 * before the latch judges it (a forged one can neither latch nor be heard); failures and replays are
 * dropped and counted (onSrtpDropped). Nothing is ever sent in clear on such a stream: until the SRTP
 * module is loaded, nothing is sent at all.
 */
export class RtpMediaSession implements RtpSession, ClockSubscriber {
  readonly events = new TypedEmitter<RtpSessionEvents>();
  readonly localPort: number;
  onAudio: AudioListener | undefined;

  private readonly logger: Logger;
  private readonly negotiator: SdpNegotiator;
  private readonly dtmf: DtmfReceiver;
  private readonly ssrc = randomInt(0, 2 ** 32);
  private seq = randomInt(0, 2 ** 16);
  private readonly tsBase = randomInt(0, 2 ** 32);
  private readonly tickBase: number;
  private media: NegotiatedMedia | undefined;
  private readonly latch: RtpSourceLatch;
  /** The signalling confirmed the remote (ACK, or the answer to our offer): media may be sent. */
  private confirmed = false;
  /** IP the call's signalling came from (or went to, for our INVITE); see setSignallingAddress(). */
  private signallingIp: string | undefined;
  /** A re-INVITE's offer that moves the media, answered but not yet acknowledged. */
  private pending: NegotiatedMedia | undefined;
  private foreignDropped = 0;
  private foreignLoggedAt: number | undefined;
  private foreignSinceLog = 0;
  private playback: Playback | undefined;
  private markerNext = true;
  private sentLastTick = false;
  private lastRtpAt = 0;
  private timedOut = false;
  private closed = false;
  private relay: RelaySink | undefined;
  private readonly relayTs = new TimestampMapper();
  /** Added to the clock-derived timestamp so it never falls behind a relayed one. */
  private tsAdjust = 0;
  /** Highest timestamp sent so far. */
  private lastTs: number | undefined;
  /** The caller's message being recorded (record()), with how to settle its promise. */
  private recording: { readonly recorder: MessageRecorder; readonly done: (end: RecordEnd) => void } | undefined;
  /** The secure transport of WebRTC media, once such an offer/answer is applied. */
  private secure: WebRtcTransport | undefined;
  /** Datagrams received while the transport's module loads, replayed to it once made. */
  private held: { msg: Buffer; rinfo: RemoteInfo }[] | undefined;
  /** SRTP of an SDES stream (keys negotiated on a TLS leg). */
  private readonly sdes: SdesStream;

  constructor(private readonly opts: RtpMediaSessionOptions) {
    this.localPort = opts.localPort;
    this.logger = opts.logger.child({ callId: opts.callId, rtpPort: opts.localPort });
    this.negotiator = new SdpNegotiator(opts.publicAddress, opts.localPort, opts.dtls?.fingerprint, opts.sdesPolicy);
    this.latch = new RtpSourceLatch(opts.relatchSilenceMs);
    this.dtmf = new DtmfReceiver((digit) => this.events.emit('dtmf', digit, 'rfc4733'));
    this.sdes = new SdesStream({
      logger: this.logger,
      deliver: (packet, from) => {
        this.onPacket(packet, from, false);
      },
      onDropped: opts.onSrtpDropped,
      now: () => performance.now(),
    });
    this.tickBase = opts.clock.currentTick();
    opts.socket.on('message', this.onMessage);
    opts.socket.on('error', this.onSocketError);
    opts.clock.add(this);
  }

  get codec(): Codec | undefined {
    return this.media?.codec;
  }

  get callId(): string {
    return this.opts.callId;
  }

  /** The remote's telephone-event payload type (RFC 4733), when it negotiated one. */
  get telephoneEventPayloadType(): number | undefined {
    return this.media?.dtmfPayloadType;
  }

  get isBridged(): boolean {
    return this.relay !== undefined;
  }

  /**
   * Where packets go now: the latched source, else the SDP address when its IP is the signalling IP;
   * undefined before negotiation or while waiting for the remote's first RTP.
   */
  get remote(): { address: string; port: number } | undefined {
    if (this.media?.webrtc !== undefined) return this.secure?.remote;
    const latched = this.latch.latched;
    if (latched !== undefined) return latched;
    const sdp = this.media?.remote;
    if (sdp === undefined || this.signallingIp === undefined || plainIp(sdp.address) !== this.signallingIp) return undefined;
    return sdp;
  }

  /** Packets dropped because they came from another source or SSRC than the latched one. */
  get foreignPacketsDropped(): number {
    return this.foreignDropped;
  }

  /** Whether media may be sent (the remote is confirmed); see confirmRemote(). */
  get remoteConfirmed(): boolean {
    return this.confirmed;
  }

  /** Our current direction; 'inactive' before negotiation. */
  get direction(): NegotiatedMedia['direction'] {
    return this.media?.direction ?? 'inactive';
  }

  /**
   * The IP the signalling came from (inbound INVITE) or went to (our INVITE), and its transport (only
   * 'tls' lets SDES keys be exchanged); call before the offer/answer.
   */
  setSignallingAddress(address: string, transport?: string): void {
    this.signallingIp = plainIp(address);
    if (transport !== undefined) this.negotiator.setSignallingTransport(transport);
  }

  answerOffer(offerSdp: string): string {
    this.assertOpen();
    const { sdp, media, sdesIgnored } = this.negotiator.answer(offerSdp);
    if (sdesIgnored !== undefined) this.logger.warn('SRTP offer not used', { why: sdesIgnored });
    this.applyAnswer(media);
    return sdp;
  }

  /** SRTP packets dropped on this stream (failed authentication or replays). */
  get srtpPacketsDropped(): number {
    return this.sdes.droppedPackets;
  }

  /** The stream is SDES-SRTP (its keys negotiated). */
  get srtpActive(): boolean {
    return this.media?.sdes !== undefined;
  }

  /**
   * What answerOffer() does once the offer is negotiated: for a negotiation done elsewhere (the main
   * thread answers the SDP synchronously and a media worker's session applies the result).
   */
  applyAnswer(media: NegotiatedMedia): void {
    if (this.closed) return;
    const current = this.media;
    if (current === undefined || !this.confirmed) {
      this.apply(media);
    } else if (sameRemote(current.remote, media.remote)) {
      // Hold/resume or a session refresh at the same address: the latched source stays.
      this.pending = undefined;
      this.update(media);
    } else {
      // Moved media: only the re-INVITE's ACK proves the new address (see the class comment).
      this.pending = media;
    }
  }

  createOffer(options?: OfferOptions): string {
    this.assertOpen();
    return this.negotiator.offer(options);
  }

  /** The WebRTC transport's state, or undefined for plain RTP (tests, diagnostics). */
  get webrtcState(): WebRtcTransport['state'] | undefined {
    return this.secure?.state;
  }

  acceptAnswer(answerSdp: string): void {
    this.assertOpen();
    this.applyAcceptedAnswer(this.negotiator.acceptAnswer(answerSdp));
  }

  /** What acceptAnswer() does once the answer is parsed (see applyAnswer()). */
  applyAcceptedAnswer(media: NegotiatedMedia): void {
    if (this.closed) return;
    const current = this.media;
    this.pending = undefined;
    if (current !== undefined && sameRemote(current.remote, media.remote)) this.update(media);
    else this.apply(media);
    // The answer to our own offer: the party we called (or who ACKed our 2xx with it) gave it.
    this.confirmed = true;
  }

  /** The ACK of our 2xx (initial INVITE or re-INVITE) arrived: media may go to its (moved) remote. */
  confirmRemote(): void {
    if (this.closed) return;
    const pending = this.pending;
    this.pending = undefined;
    if (pending !== undefined) this.apply(pending);
    if (this.confirmed && pending === undefined) return;
    this.confirmed = true;
    this.markerNext = true;
    if (this.remote === undefined && this.media?.remote !== undefined) {
      this.logger.debug('media waits for the remote\'s first RTP (SDP address is not the signalling address)');
    }
  }

  play(prompts: readonly string[], signal?: AbortSignal, options: PlayOptions = {}): Promise<PlaybackOutcome> {
    const found: Prompt[] = [];
    for (const name of prompts) {
      const p = this.opts.prompts.get(name);
      if (p === undefined) return Promise.reject(new MediaError('PROMPT_NOT_FOUND', `prompt "${name}" is not loaded`));
      found.push(p);
    }
    this.stopPlayback();
    if (this.closed || this.relay !== undefined || signal?.aborted === true) return Promise.resolve('stopped');
    const onAbort = (): void => {
      if (this.playback === playback) this.stopPlayback();
    };
    const playback = new Playback(found, () => signal?.removeEventListener('abort', onAbort), { loop: options.loop === true });
    signal?.addEventListener('abort', onAbort, { once: true });
    if (playback.exhausted) {
      playback.finish('completed');
      return playback.done;
    }
    this.playback = playback;
    this.markerNext = true;
    return playback.done;
  }

  stopPlayback(): void {
    const p = this.playback;
    this.playback = undefined;
    p?.finish('stopped');
  }

  injectDtmf(digit: string, source: 'info'): void {
    if (this.closed) return;
    const d = digit.toUpperCase();
    if (!DIGIT.test(d)) {
      this.logger.warn('ignoring invalid DTMF digit', { source });
      return;
    }
    this.events.emit('dtmf', d, source);
  }

  /** For a bridge: stops playback and the silence sender and hands every received packet to `sink`. */
  attachRelay(sink: RelaySink): void {
    this.assertOpen();
    if (this.relay !== undefined) throw new MediaError('BRIDGE_INVALID', 'RTP session is already bridged');
    this.stopPlayback();
    this.relay = sink;
    this.relayTs.reset();
  }

  /** Ends relaying by `sink`: the clock sends silence again, the first packet with the marker bit. */
  detachRelay(sink: RelaySink): void {
    if (this.relay !== sink) return;
    this.relay = undefined;
    this.markerNext = true;
  }

  /**
   * Sends a packet received by the bridged peer session to our remote, as ours: our payload type for
   * its kind, SSRC, next sequence number and a mapped timestamp. `payload` is already in our codec.
   * Returns false when it could not go (not bridged, not negotiated, on hold, no telephone-event).
   */
  sendRelayed(kind: 'audio' | 'event', source: RtpPacket, payload: Buffer): boolean {
    const media = this.media;
    const to = this.remote;
    if (this.closed || this.relay === undefined || media === undefined || to === undefined || !this.canSend()) return false;
    const payloadType = kind === 'audio' ? media.payloadType : media.dtmfPayloadType;
    if (payloadType === undefined) return false;
    const { timestamp, anchored } = this.relayTs.map(source.ssrc, source.timestamp, this.dueTimestamp(), kind === 'audio');
    this.transmit(payloadType, source.marker || anchored, timestamp, payload, to);
    return true;
  }

  record(path: string, options: RecordOptions, signal?: AbortSignal): Promise<RecordResult> {
    this.stopRecording('stopped');
    const recorder = new MessageRecorder(path, options, performance.now(), this.logger);
    if (this.closed || signal?.aborted === true) return recorder.finish(this.closed ? 'closed' : 'stopped', performance.now());
    return new Promise<RecordResult>((resolve) => {
      const onAbort = (): void => {
        if (this.recording?.recorder === recorder) this.stopRecording('stopped');
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.recording = {
        recorder,
        done: (end) => {
          signal?.removeEventListener('abort', onAbort);
          void recorder.finish(end, performance.now()).then(resolve);
        },
      };
    });
  }

  private stopRecording(end: RecordEnd): void {
    const rec = this.recording;
    this.recording = undefined;
    rec?.done(end);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.stopRecording('closed');
    const relay = this.relay;
    this.relay = undefined;
    relay?.sessionClosed();
    this.stopPlayback();
    this.secure?.close();
    this.sdes.close();
    this.held = undefined;
    this.opts.clock.remove(this);
    this.opts.socket.off('message', this.onMessage);
    try {
      this.opts.socket.close();
    } catch {
      // already closed by the OS or a failed bind: nothing to release
    }
    this.events.removeAllListeners();
    this.onAudio = undefined;
    this.opts.onClose(this);
  }

  /** Clock tick: at most one packet. Returns true when a packet was sent. */
  onTick(tick: number): boolean {
    if (this.closed) return false;
    const now = performance.now();
    this.dtmf.expire(now);
    this.checkTimeout(now);
    const recordEnd = this.recording?.recorder.due(now);
    if (recordEnd !== undefined) this.stopRecording(recordEnd);
    const media = this.media;
    const codec = media?.codec ?? 'PCMU';
    const playback = this.playback;
    let payload: Buffer | undefined;
    if (this.relay !== undefined) {
      // The bridge sends for us.
    } else if (playback !== undefined) {
      payload = playback.nextFrame(codec);
    } else if (this.opts.comfortSilence && this.canSend()) {
      payload = silenceFrame(codec);
    }
    let sent = false;
    const to = this.remote;
    if (payload !== undefined && media !== undefined && to !== undefined && this.canSend()) {
      let timestamp = this.tickTimestamp(tick);
      if (this.lastTs !== undefined && tsDiff(timestamp, this.lastTs) <= 0) {
        // Relayed packets ran ahead of the clock (the other party's clock is fast): stay monotonic.
        this.tsAdjust += tsDiff(this.lastTs, timestamp) + FRAME_BYTES;
        timestamp = this.tickTimestamp(tick);
      }
      this.transmit(media.payloadType, this.markerNext || !this.sentLastTick, timestamp, payload, to);
      sent = true;
    }
    this.sentLastTick = sent;
    // Playback advances with time even while held or before the remote is known, so a play() always ends.
    if (playback?.exhausted === true && this.playback === playback) {
      this.playback = undefined;
      playback.finish('completed');
    }
    return sent;
  }

  private tickTimestamp(tick: number): number {
    return (this.tsBase + this.tsAdjust + (tick - this.tickBase) * FRAME_BYTES) >>> 0;
  }

  /** The timestamp due now: the clock's, but always after the last one sent. */
  private dueTimestamp(): number {
    const ts = this.tickTimestamp(this.opts.clock.currentTick());
    if (this.lastTs !== undefined && tsDiff(ts, this.lastTs) < FRAME_BYTES) return (this.lastTs + FRAME_BYTES) >>> 0;
    return ts;
  }

  private transmit(payloadType: number, marker: boolean, timestamp: number, payload: Buffer, to: { address: string; port: number }): void {
    if (this.secure !== undefined && this.media?.webrtc !== undefined) {
      this.transmitSecure(this.secure, payloadType, marker, timestamp, payload);
      return;
    }
    let packet: Buffer;
    if (this.media?.sdes !== undefined) {
      // Never in clear: without the SRTP context (its module still loading) the packet is not sent.
      const protectedPacket = this.sdes.protectRtp(payloadType, marker, this.seq, timestamp, this.ssrc, payload);
      if (protectedPacket === undefined) return;
      packet = protectedPacket;
    } else {
      packet = encodeRtp({ payloadType, marker, sequenceNumber: this.seq, timestamp, ssrc: this.ssrc, payload });
    }
    this.seq = (this.seq + 1) & 0xffff;
    this.markerNext = false;
    if (this.lastTs === undefined || tsDiff(timestamp, this.lastTs) > 0) this.lastTs = timestamp;
    this.opts.socket.send(packet, to.port, to.address);
  }

  /** transmit() for WebRTC media: SRTP-protected, to the address ICE selected. */
  private transmitSecure(secure: WebRtcTransport, payloadType: number, marker: boolean, timestamp: number, payload: Buffer): void {
    if (!secure.sendRtp({ payloadType, marker, sequenceNumber: this.seq, timestamp, ssrc: this.ssrc }, payload)) return;
    this.seq = (this.seq + 1) & 0xffff;
    this.markerNext = false;
    if (this.lastTs === undefined || tsDiff(timestamp, this.lastTs) > 0) this.lastTs = timestamp;
  }

  private canSend(): boolean {
    if (!this.confirmed) return false;
    const m = this.media;
    if (m?.webrtc !== undefined) return this.secure?.ready === true && (m.direction === 'sendrecv' || m.direction === 'sendonly');
    if (m?.remote === undefined || m.remote.port === 0) return false;
    if (m.direction !== 'sendrecv' && m.direction !== 'sendonly') return false;
    return m.remote.address !== '0.0.0.0' && m.remote.address !== '::';
  }

  private apply(media: NegotiatedMedia): void {
    // A new (or moved) remote: a new latch, open only to the SDP IP and the signalling IP.
    const allowed = [media.remote?.address, this.signallingIp].filter((a): a is string => a !== undefined);
    this.latch.reset(media.remote, allowed);
    this.update(media);
  }

  /** Takes a negotiation result that keeps the remote address (and the latch). */
  private update(media: NegotiatedMedia): void {
    this.useSecureTransport(media);
    this.sdes.use(media.sdes);
    this.media = media;
    this.lastRtpAt = performance.now();
    this.timedOut = false;
    this.logger.debug('media negotiated', { codec: media.codec, direction: media.direction, held: media.held, dtmfPt: media.dtmfPayloadType });
  }

  /**
   * WebRTC media gets its transport once; a new remote ICE ufrag (an ICE restart, RFC 8445 §9) gets a
   * new one. Plain RTP after WebRTC (a re-INVITE changing profile) drops it. The first WebRTC leg of a
   * thread loads the transport's module: packets arriving meanwhile are dropped (ICE retransmits).
   */
  private useSecureTransport(media: NegotiatedMedia): void {
    const params = media.webrtc;
    if (params === undefined || this.opts.dtls === undefined) {
      this.secure?.close();
      this.secure = undefined;
      return;
    }
    if (this.secure?.remoteUfrag === params.remoteUfrag) return;
    this.secure?.close();
    this.secure = undefined;
    if (loadedWebRtcTransport() !== undefined) {
      this.startSecureTransport(params);
      return;
    }
    this.held = [];
    loadWebRtcTransport().then(
      () => {
        if (!this.closed && this.media?.webrtc === params) this.startSecureTransport(params);
      },
      (err: unknown) => {
        this.logger.error('WebRTC transport cannot be loaded', { err: err instanceof Error ? err.message : String(err) });
      },
    );
  }

  private startSecureTransport(params: WebRtcMedia): void {
    const Transport = loadedWebRtcTransport();
    const identity = this.opts.dtls;
    if (Transport === undefined || identity === undefined) return;
    const secure = new Transport({
      socket: this.opts.socket,
      identity,
      params,
      logger: this.logger,
      onRtp: (packet, from) => {
        this.onPacket(packet, from, true);
      },
      onForeign: (from) => {
        this.foreignPacket(from, performance.now());
      },
    });
    this.secure = secure;
    const held = this.held ?? [];
    this.held = undefined;
    for (const { msg, rinfo } of held) secure.receive(msg, rinfo);
  }

  private checkTimeout(now: number): void {
    const timeout = this.opts.mediaTimeoutMs;
    const m = this.media;
    if (timeout <= 0 || this.timedOut || m === undefined || m.held) return;
    if (m.direction !== 'sendrecv' && m.direction !== 'recvonly') return;
    if (now - this.lastRtpAt < timeout) return;
    this.timedOut = true;
    this.logger.info('media timeout', { timeoutMs: timeout });
    this.events.emit('timeout');
  }

  private readonly onMessage = (msg: Buffer, rinfo: RemoteInfo): void => {
    if (this.closed) return;
    if (this.media?.sdes !== undefined) {
      this.sdes.receive(msg, rinfo);
    } else if (this.media?.webrtc === undefined) {
      this.onPacket(msg, rinfo, false);
    } else if (this.secure !== undefined) {
      this.secure.receive(msg, rinfo);
    } else if (this.held !== undefined && this.held.length < MAX_HELD_DATAGRAMS) {
      this.held.push({ msg: Buffer.from(msg), rinfo });
    }
    this.opts.clock.runDue();
  };

  /** One RTP packet: plain from the socket (judged by the latch), or decrypted by the WebRTC transport (`proven`). */
  private onPacket(msg: Buffer, rinfo: RemoteInfo, proven: boolean): void {
    const m = this.media;
    if (this.closed || m?.codec === undefined) return;
    const packet = parseRtp(msg);
    if (packet === undefined) return;
    const isDtmf = m.dtmfPayloadType !== undefined && packet.payloadType === m.dtmfPayloadType;
    if (!isDtmf && packet.payloadType !== m.payloadType) return;
    const now = performance.now();
    if (!proven) {
      const before = this.latch.latched;
      if (this.latch.judge(rinfo, packet.ssrc, now) === 'foreign') {
        this.foreignPacket(rinfo, now);
        return;
      }
      const after = this.latch.latched;
      if (before?.address !== after?.address || before?.port !== after?.port) {
        this.logger.debug('RTP source latched', { address: maskAddress(rinfo.address), port: rinfo.port });
      }
    }
    this.lastRtpAt = now;
    this.timedOut = false;
    if (isDtmf) {
      this.dtmf.receive(packet.timestamp, packet.payload, now);
      this.relay?.event(packet);
    } else {
      if (this.onAudio !== undefined) this.onAudio(packet.payload, m.codec);
      this.recording?.recorder.push(packet.payload, m.codec, now);
      this.relay?.audio(packet, m.codec, now);
    }
  }

  /** Counts a dropped foreign packet; logs the first one, then at most one summary line a minute. */
  private foreignPacket(from: RemoteInfo, now: number): void {
    this.foreignDropped++;
    this.foreignSinceLog++;
    this.opts.onForeignPacket?.();
    if (this.foreignLoggedAt !== undefined && now - this.foreignLoggedAt < FOREIGN_LOG_INTERVAL_MS) return;
    this.logger.warn('RTP from a foreign source dropped', {
      address: maskAddress(from.address),
      port: from.port,
      dropped: this.foreignSinceLog,
      droppedTotal: this.foreignDropped,
    });
    this.foreignLoggedAt = now;
    this.foreignSinceLog = 0;
  }

  private readonly onSocketError = (err: Error): void => {
    // ICMP port unreachable and the like surface here; they must never crash the process.
    this.logger.debug('RTP socket error', { err: err.message });
  };

  private assertOpen(): void {
    if (this.closed) throw new MediaError('MEDIA_CLOSED', 'RTP session is closed');
  }
}

function sameRemote(a: { address: string; port: number } | undefined, b: { address: string; port: number } | undefined): boolean {
  return a?.address === b?.address && a?.port === b?.port;
}
