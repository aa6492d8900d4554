import type { Logger } from '../logging/logger.js';
import { MediaClock } from './media-clock.js';
import { MediaError } from './media-error.js';
import type { BridgeOptions, MediaBridging, MediaEngine, RtpSession, SrtpDropCounts } from './media-types.js';
import type { PacingSnapshot } from './pacing-stats.js';
import { PortAllocator } from './port-allocator.js';
import { PromptLibrary } from './prompt-library.js';
import { RtpMediaBridge } from './rtp-media-bridge.js';
import { RtpMediaSession } from './rtp-media-session.js';
import type { SdesPolicy } from './srtp/sdes-crypto.js';
import { loadSdesSrtp } from './srtp/sdes-srtp-loader.js';
import { createDtlsIdentity, type DtlsIdentity } from './webrtc/dtls-identity.js';
import { loadWebRtcTransport } from './webrtc/webrtc-loader.js';

export interface RtpMediaEngineOptions {
  /** Local address the RTP sockets bind (e.g. 0.0.0.0 or 127.0.0.1). */
  bindAddress: string;
  /** Address written in our SDP o=/c= lines (what remote parties send RTP to). */
  publicAddress: string;
  /** RTP port range; only its even ports are used. */
  portMin: number;
  portMax: number;
  /** Directory of `*.wav` prompts (8 kHz mono PCM16/μ-law/A-law), loaded by start(). */
  promptsDir: string;
  logger: Logger;
  /** Emit 'timeout' on a session after this long without RTP (not on hold); 0 (default) disables. */
  mediaTimeoutMs?: number;
  /**
   * Send silence frames every 20 ms while no prompt plays, once the remote address is known
   * (default true): keeps NAT bindings open and is what softphones expect.
   */
  comfortSilence?: boolean;
  /**
   * A latched RTP source is replaced by another (same SSRC) or a new SSRC is taken only after this
   * long without packets from it (default 2000 ms); see RtpSourceLatch.
   */
  relatchSilenceMs?: number;
  /**
   * WebRTC media for browser phones (UDP/TLS/RTP/SAVPF offers and answers): start() makes a DTLS
   * certificate and loads werift. Default false: such offers then get SDP_NO_COMMON_CODEC (488).
   */
  webrtc?: boolean;
  /**
   * SRTP_SDES: SRTP with SDES keys (RFC 4568) on legs whose signalling is TLS (see SdesPolicy). Default
   * `off`. Not `off`: start() loads werift's SRTP.
   */
  sdesPolicy?: SdesPolicy;
}

/**
 * The media engine of one process: the RTP port range, the prompt library and the one shared 20 ms
 * MediaClock that paces every session.
 *
 * Usage: `const engine = new RtpMediaEngine(options); await engine.start();` (or the equivalent
 * `await RtpMediaEngine.create(options)`). start() only loads the prompts; sockets are bound per session
 * and the clock runs only while sessions exist.
 *
 * bridge(a, b) relays two of its sessions to each other (RtpMediaBridge), optionally recording both
 * to a stereo WAV.
 */
export class RtpMediaEngine implements MediaEngine, MediaBridging {
  readonly prompts: PromptLibrary;
  private readonly clock: MediaClock;
  private readonly ports: PortAllocator;
  private readonly sessions = new Set<RtpMediaSession>();
  private readonly bridges = new Set<RtpMediaBridge>();
  private readonly logger: Logger;
  private closed = false;
  private foreignDropped = 0;
  private srtpDropped = { auth: 0, replay: 0 };
  /** The DTLS certificate of WebRTC legs, made by start(). */
  private dtls: DtlsIdentity | undefined;

  constructor(private readonly options: RtpMediaEngineOptions) {
    this.logger = options.logger.child({ module: 'media' });
    this.prompts = new PromptLibrary(options.promptsDir, this.logger);
    this.clock = new MediaClock(this.logger);
    this.ports = new PortAllocator(options.bindAddress, options.portMin, options.portMax, this.logger);
  }

  /** Constructs and starts an engine. */
  static async create(options: RtpMediaEngineOptions): Promise<RtpMediaEngine> {
    const engine = new RtpMediaEngine(options);
    await engine.start();
    return engine;
  }

  /** Loads every prompt of promptsDir (MediaError PROMPT_INVALID naming a bad file); with `webrtc`, the DTLS certificate and transport. */
  async start(): Promise<void> {
    await this.prompts.load();
    if ((this.options.sdesPolicy ?? 'off') !== 'off') await loadSdesSrtp();
    if (this.options.webrtc !== true) return;
    this.dtls = await createDtlsIdentity();
    await loadWebRtcTransport();
  }

  async createSession(callId: string): Promise<RtpMediaSession> {
    if (this.closed) throw new MediaError('MEDIA_CLOSED', 'media engine is closed');
    const { socket, port } = await this.ports.allocate();
    // close() may have run while the port was being bound.
    if (this.isClosed()) {
      socket.close();
      this.ports.release(port);
      throw new MediaError('MEDIA_CLOSED', 'media engine is closed');
    }
    const session = new RtpMediaSession({
      callId,
      socket,
      localPort: port,
      publicAddress: this.options.publicAddress,
      clock: this.clock,
      prompts: this.prompts,
      logger: this.logger,
      mediaTimeoutMs: this.options.mediaTimeoutMs ?? 0,
      comfortSilence: this.options.comfortSilence ?? true,
      relatchSilenceMs: this.options.relatchSilenceMs ?? 2000,
      dtls: this.dtls,
      sdesPolicy: this.options.sdesPolicy,
      onForeignPacket: () => {
        this.foreignDropped++;
      },
      onSrtpDropped: (reason) => {
        this.srtpDropped[reason]++;
      },
      onClose: (s) => {
        this.sessions.delete(s);
        this.ports.release(s.localPort);
      },
    });
    this.sessions.add(session);
    return session;
  }

  /**
   * Relays two open sessions of this engine to each other until the bridge or either session closes.
   * Throws MediaError `BRIDGE_INVALID` for a session of another engine, a closed one, the same session
   * twice, or one already bridged; `MEDIA_CLOSED` after close().
   */
  bridge(a: RtpSession, b: RtpSession, options: BridgeOptions = {}): RtpMediaBridge {
    if (this.closed) throw new MediaError('MEDIA_CLOSED', 'media engine is closed');
    const sa = this.own(a);
    const sb = this.own(b);
    if (sa === sb) throw new MediaError('BRIDGE_INVALID', 'cannot bridge a session to itself');
    const bridge = new RtpMediaBridge({
      a: sa,
      b: sb,
      clock: this.clock,
      logger: this.logger,
      recordingPath: options.recordingPath,
      onClose: (br) => this.bridges.delete(br),
    });
    this.bridges.add(bridge);
    return bridge;
  }

  isClosed(): boolean {
    return this.closed;
  }

  hasPrompt(name: string): boolean {
    return this.prompts.has(name);
  }

  get activeSessions(): number {
    return this.sessions.size;
  }

  /** RTP packets dropped since start because they came from another source than a call's latched one. */
  get foreignPacketsDropped(): number {
    return this.foreignDropped;
  }

  /** SRTP packets of SDES legs dropped since start: failed authentication, replays. */
  get srtpPacketsDropped(): SrtpDropCounts {
    return { ...this.srtpDropped };
  }

  /** Per-packet send deviation (actual − ideal time) over every session since start or the last reset. */
  pacingStats(): PacingSnapshot {
    return this.clock.stats.snapshot();
  }

  resetPacingStats(): void {
    this.clock.stats.reset();
  }

  /**
   * Closes every bridge and session (their plays resolve 'stopped') and stops the clock; resolves when
   * every recording is complete. Safe to call twice.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const finishing = [...this.bridges].map((b) => b.close());
    for (const s of [...this.sessions]) s.close();
    this.clock.close();
    await Promise.all(finishing);
  }

  private own(session: RtpSession): RtpMediaSession {
    if (!(session instanceof RtpMediaSession) || !this.sessions.has(session)) {
      throw new MediaError('BRIDGE_INVALID', 'session is closed or belongs to another media engine');
    }
    return session;
  }
}
