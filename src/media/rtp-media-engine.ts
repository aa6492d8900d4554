import type { Logger } from '../logging/logger.js';
import { MediaClock } from './media-clock.js';
import { MediaError } from './media-error.js';
import type { MediaEngine } from './media-types.js';
import type { PacingSnapshot } from './pacing-stats.js';
import { PortAllocator } from './port-allocator.js';
import { PromptLibrary } from './prompt-library.js';
import { RtpMediaSession } from './rtp-media-session.js';

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
}

/**
 * The media engine of one process: the RTP port range, the prompt library and the one shared 20 ms
 * MediaClock that paces every session.
 *
 * Usage: `const engine = new RtpMediaEngine(options); await engine.start();` (or the equivalent
 * `await RtpMediaEngine.create(options)`). start() only loads the prompts; sockets are bound per session
 * and the clock runs only while sessions exist.
 */
export class RtpMediaEngine implements MediaEngine {
  readonly prompts: PromptLibrary;
  private readonly clock: MediaClock;
  private readonly ports: PortAllocator;
  private readonly sessions = new Set<RtpMediaSession>();
  private readonly logger: Logger;
  private closed = false;

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

  /** Loads every prompt of promptsDir; rejects with MediaError PROMPT_INVALID naming a bad file. */
  async start(): Promise<void> {
    await this.prompts.load();
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
      onClose: (s) => {
        this.sessions.delete(s);
        this.ports.release(s.localPort);
      },
    });
    this.sessions.add(session);
    return session;
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

  /** Per-packet send deviation (actual − ideal time) over every session since start or the last reset. */
  pacingStats(): PacingSnapshot {
    return this.clock.stats.snapshot();
  }

  resetPacingStats(): void {
    this.clock.stats.reset();
  }

  /** Closes every session (their plays resolve 'stopped') and stops the clock; safe to call twice. */
  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    for (const s of [...this.sessions]) s.close();
    this.clock.close();
    return Promise.resolve();
  }
}
