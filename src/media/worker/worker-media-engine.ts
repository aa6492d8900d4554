import { MessageChannel } from 'node:worker_threads';
import type { Logger } from '../../logging/logger.js';
import { MediaError } from '../media-error.js';
import type { BridgeOptions, MediaBridge, MediaBridging, MediaEngine, RecordResult, RtpSession, SrtpDropCounts } from '../media-types.js';
import { PacingStats, type PacingSnapshot } from '../pacing-stats.js';
import type { RtpMediaEngineOptions } from '../rtp-media-engine.js';
import { COUNTER, COUNTER_SLOTS, type MediaWorkerData, type WorkerCommand, type WorkerEvent } from './media-worker-protocol.js';
import { MediaWorkerThread } from './media-worker-thread.js';
import { SharedPromptStore } from './shared-prompt-store.js';
import { WorkerMediaBridge } from './worker-media-bridge.js';
import { WorkerRtpSession } from './worker-rtp-session.js';
import { createDtlsIdentity, type DtlsIdentity } from '../webrtc/dtls-identity.js';

export interface WorkerMediaEngineOptions extends RtpMediaEngineOptions {
  /** Worker threads (1-16); each owns an equal, disjoint share of the port range. */
  workers: number;
}

/** First respawn delay after a crash; doubled per crash in a row, up to RESPAWN_MAX_MS. */
const RESPAWN_MIN_MS = 100;
const RESPAWN_MAX_MS = 5000;
/** A worker that ran this long without crashing resets the back-off. */
const STABLE_MS = 30_000;
/** start() gives each worker this many tries to come up before the engine fails. */
const START_ATTEMPTS = 3;

/** One worker position: its port share, its shared counters, and the thread now running it. */
interface Slot {
  readonly index: number;
  readonly portMin: number;
  readonly portMax: number;
  readonly stats: PacingStats;
  readonly pacing: SharedArrayBuffer;
  readonly counters: Float64Array;
  thread: MediaWorkerThread | undefined;
  startedAt: number;
  crashes: number;
  respawn: NodeJS.Timeout | undefined;
  /** Sessions open or being created here (placement load). */
  load: number;
}

interface PendingCreate {
  readonly callId: string;
  readonly slot: number;
  readonly resolve: (session: WorkerRtpSession) => void;
  readonly reject: (err: unknown) => void;
}

/** Event-loop delay of one media worker over its last second. */
export interface WorkerLag {
  readonly worker: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

/**
 * A media engine whose RTP runs in worker threads (issue 15): sockets, the 20 ms clocks, playback,
 * DTMF detection, bridging and recording live in `workers` threads, each an in-worker engine built
 * from the same classes as RtpMediaEngine (worker-media-runtime.ts), so signalling on the main thread
 * never waits behind media and media never waits behind signalling.
 *
 * The main thread keeps the MediaEngine/MediaBridging contract: each leg is a WorkerRtpSession proxy
 * (offer/answer synchronous here); a new session goes to the least-loaded worker; a bridge runs in one
 * worker when both legs are there, else across two (CrossWorkerRelay over a MessageChannel). Nothing is
 * posted between the main thread and a worker per packet: pacing and counters are in shared memory.
 *
 * A worker that throws or exits ends its calls (each session emits 'timeout', plays resolve
 * 'stopped', its bridges close) and is started again after a short back-off; the process lives on.
 */
export class WorkerMediaEngine implements MediaEngine, MediaBridging {
  readonly prompts: SharedPromptStore;
  private readonly logger: Logger;
  private readonly slots: Slot[] = [];
  private readonly sessions = new Map<number, WorkerRtpSession>();
  private readonly pending = new Map<number, PendingCreate>();
  private readonly bridges = new Map<number, WorkerMediaBridge>();
  /** Recordings a worker is writing, by id: settled by its 'record-done', or 'closed' when it is lost. */
  private readonly recordings = new Map<number, { readonly slot: number; readonly resolve: (r: RecordResult) => void }>();
  private nextId = 0;
  private closed = false;
  private closing: Promise<void> | undefined;
  /** The DTLS certificate of WebRTC legs, made by start() and given to every worker. */
  private dtls: DtlsIdentity | undefined;

  constructor(private readonly options: WorkerMediaEngineOptions) {
    this.logger = options.logger.child({ module: 'media' });
    this.prompts = new SharedPromptStore(options.promptsDir, this.logger, (change) => {
      const cmd: WorkerCommand = 'add' in change ? { type: 'prompt-add', prompt: change.add } : { type: 'prompt-remove', name: change.remove };
      for (const slot of this.slots) slot.thread?.post(cmd);
    });
    const first = options.portMin % 2 === 0 ? options.portMin : options.portMin + 1;
    const evenPorts = options.portMax >= first ? Math.floor((options.portMax - first) / 2) + 1 : 0;
    const count = Math.max(1, Math.min(Math.floor(options.workers), evenPorts));
    let start = 0;
    for (let index = 0; index < count; index++) {
      const size = Math.floor(evenPorts / count) + (index < evenPorts % count ? 1 : 0);
      const pacing = PacingStats.sharedBuffer();
      this.slots.push({
        index,
        portMin: first + 2 * start,
        portMax: first + 2 * (start + size) - 2,
        pacing,
        stats: new PacingStats(pacing),
        counters: new Float64Array(new SharedArrayBuffer(COUNTER_SLOTS * Float64Array.BYTES_PER_ELEMENT)),
        thread: undefined,
        startedAt: 0,
        crashes: 0,
        respawn: undefined,
        load: 0,
      });
      start += size;
    }
  }

  /** Constructs and starts an engine: prompts loaded, every worker running. */
  static async create(options: WorkerMediaEngineOptions): Promise<WorkerMediaEngine> {
    const engine = new WorkerMediaEngine(options);
    await engine.start();
    return engine;
  }

  /** Loads the prompts (MediaError PROMPT_INVALID naming a bad file) and starts the workers. */
  async start(): Promise<void> {
    await this.prompts.load();
    if (this.options.webrtc === true) this.dtls = await createDtlsIdentity();
    for (const slot of this.slots) this.spawn(slot);
    try {
      await Promise.all(this.slots.map((s) => this.whenReady(s)));
    } catch (err) {
      await this.close();
      throw new MediaError('MEDIA_CLOSED', `a media worker failed to start: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    this.logger.info('media workers started', { workers: this.slots.length, ports: this.slots.map((s) => `${s.portMin}-${s.portMax}`) });
  }

  get workerCount(): number {
    return this.slots.length;
  }

  /** Workers running now (fewer than workerCount while a crashed one waits to be started again). */
  get runningWorkers(): number {
    return this.slots.filter((s) => s.thread !== undefined).length;
  }

  async createSession(callId: string): Promise<WorkerRtpSession> {
    if (this.closed) throw new MediaError('MEDIA_CLOSED', 'media engine is closed');
    const order = this.slots.filter((s) => s.thread !== undefined).sort((x, y) => x.load - y.load);
    let last: MediaError | undefined;
    // A worker whose share is used up (or squatted by another process) passes the call to the next.
    for (const slot of order) {
      try {
        return await this.createOn(slot, callId);
      } catch (err) {
        if (!(err instanceof MediaError) || err.code !== 'RTP_PORTS_EXHAUSTED') throw err;
        last = err;
      }
    }
    // Made here, not up front: an error's stack trace costs tens of µs, on every call set-up otherwise.
    throw last ?? new MediaError('RTP_PORTS_EXHAUSTED', 'no media worker is running');
  }

  /**
   * Relays two open sessions of this engine to each other (see MediaBridging). Throws MediaError
   * `BRIDGE_INVALID` for a session of another engine, a closed one, the same session twice, or one
   * already bridged; `MEDIA_CLOSED` after close().
   */
  bridge(a: RtpSession, b: RtpSession, options: BridgeOptions = {}): MediaBridge {
    if (this.closed) throw new MediaError('MEDIA_CLOSED', 'media engine is closed');
    const sa = this.own(a);
    const sb = this.own(b);
    if (sa === sb) throw new MediaError('BRIDGE_INVALID', 'cannot bridge a session to itself');
    if (sa.bridgedBy !== undefined || sb.bridgedBy !== undefined) throw new MediaError('BRIDGE_INVALID', 'RTP session is already bridged');
    const id = ++this.nextId;
    const bridge = new WorkerMediaBridge(id, sa, sb, options.recordingPath, (slot) => {
      this.slots[slot]?.thread?.post({ type: 'bridge-close', bridge: id });
    });
    this.bridges.set(id, bridge);
    void bridge.done.then(() => this.bridges.delete(id));
    sa.markBridged(id);
    sb.markBridged(id);
    const threadA = this.slots[sa.slot]?.thread;
    const threadB = this.slots[sb.slot]?.thread;
    if (sa.slot === sb.slot) {
      threadA?.post({ type: 'bridge', bridge: id, a: sa.id, b: sb.id, recordingPath: options.recordingPath });
    } else {
      const { port1, port2 } = new MessageChannel();
      threadA?.post({ type: 'bridge-half', bridge: id, session: sa.id, side: 'a', port: port1, recordingPath: options.recordingPath }, [port1]);
      threadB?.post({ type: 'bridge-half', bridge: id, session: sb.id, side: 'b', port: port2, recordingPath: undefined }, [port2]);
    }
    this.logger.debug('bridge requested', { callId: sa.callId, peerCallId: sb.callId, crossWorker: sa.slot !== sb.slot });
    return bridge;
  }

  hasPrompt(name: string): boolean {
    return this.prompts.has(name);
  }

  get activeSessions(): number {
    return this.sessions.size;
  }

  /** RTP packets dropped since start because they came from another source than a call's latched one. */
  get foreignPacketsDropped(): number {
    return this.slots.reduce((sum, s) => sum + (s.counters[COUNTER.foreignDropped] ?? 0), 0);
  }

  /** SRTP packets of SDES legs dropped since start: failed authentication, replays. */
  get srtpPacketsDropped(): SrtpDropCounts {
    return {
      auth: this.slots.reduce((sum, s) => sum + (s.counters[COUNTER.srtpAuthFailed] ?? 0), 0),
      replay: this.slots.reduce((sum, s) => sum + (s.counters[COUNTER.srtpReplayed] ?? 0), 0),
    };
  }

  /** Per-packet send deviation over every worker's clock since start or the last reset. */
  pacingStats(): PacingSnapshot {
    return PacingStats.merged(this.slots.map((s) => s.stats));
  }

  resetPacingStats(): void {
    for (const s of this.slots) s.stats.reset();
  }

  /** Each worker's event-loop delay over its last second (a worker's lag delays its packets). */
  workerLag(): WorkerLag[] {
    return this.slots.map((s) => ({ worker: s.index, p99Ms: s.counters[COUNTER.lagP99Ms] ?? 0, maxMs: s.counters[COUNTER.lagMaxMs] ?? 0 }));
  }

  /** Drills and tests: makes worker `index` throw an uncaught exception, as a bug would. */
  crashWorker(index: number): void {
    this.slots[index]?.thread?.post({ type: 'crash' });
  }

  /**
   * Closes every bridge and session (plays resolve 'stopped'), waits for the recordings to be
   * complete, then ends the workers. Safe to call twice.
   */
  close(): Promise<void> {
    this.closing ??= this.doClose();
    return this.closing;
  }

  private async doClose(): Promise<void> {
    this.closed = true;
    const finishing = [...this.bridges.values()].map((b) => b.close());
    for (const s of [...this.sessions.values()]) s.close();
    for (const slot of this.slots) clearTimeout(slot.respawn);
    // Each worker closes its bridges (recordings complete) before it answers the shutdown.
    await Promise.all(this.slots.map((s) => s.thread?.shutdown() ?? Promise.resolve()));
    for (const slot of this.slots) this.workerGone(slot, 'media engine closed');
    await Promise.all(finishing);
  }

  /** Resolves once the slot's worker is ready; a failed start is retried (onCrash respawns) up to START_ATTEMPTS. */
  private async whenReady(slot: Slot): Promise<void> {
    for (;;) {
      if (this.closed) throw new MediaError('MEDIA_CLOSED', 'media engine is closed');
      const thread = slot.thread;
      if (thread !== undefined) {
        try {
          await thread.ready;
          return;
        } catch (err) {
          if (slot.crashes >= START_ATTEMPTS) throw err;
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  private createOn(slot: Slot, callId: string): Promise<WorkerRtpSession> {
    const id = ++this.nextId;
    slot.load++;
    return new Promise<WorkerRtpSession>((resolve, reject) => {
      this.pending.set(id, { callId, slot: slot.index, resolve, reject });
      slot.thread?.post({ type: 'create', session: id, callId });
    });
  }

  private spawn(slot: Slot): void {
    const data: MediaWorkerData = {
      index: slot.index,
      bindAddress: this.options.bindAddress,
      publicAddress: this.options.publicAddress,
      portMin: slot.portMin,
      portMax: slot.portMax,
      mediaTimeoutMs: this.options.mediaTimeoutMs ?? 0,
      comfortSilence: this.options.comfortSilence ?? true,
      relatchSilenceMs: this.options.relatchSilenceMs ?? 2000,
      logLevel: this.options.logger.level,
      prompts: this.prompts.all(),
      pacing: slot.pacing,
      counters: slot.counters.buffer as SharedArrayBuffer,
      dtls: this.dtls,
      sdesPolicy: this.options.sdesPolicy ?? 'off',
    };
    slot.startedAt = performance.now();
    slot.thread = new MediaWorkerThread({
      data,
      onEvent: (event) => {
        this.onEvent(slot, event);
      },
      onCrash: (err) => {
        this.onCrash(slot, err);
      },
    });
  }

  private onEvent(slot: Slot, event: WorkerEvent): void {
    switch (event.type) {
      case 'created': {
        const p = this.pending.get(event.session);
        this.pending.delete(event.session);
        if (p === undefined) return;
        if (this.closed) {
          slot.load--;
          slot.thread?.post({ type: 'close', session: event.session });
          p.reject(new MediaError('MEDIA_CLOSED', 'media engine is closed'));
          return;
        }
        const session = new WorkerRtpSession(event.session, p.callId, event.port, slot.index, this.options.publicAddress, this.sessionOwner(slot), this.logger, this.dtls?.fingerprint, this.options.sdesPolicy);
        this.sessions.set(event.session, session);
        p.resolve(session);
        return;
      }
      case 'create-failed': {
        const p = this.pending.get(event.session);
        this.pending.delete(event.session);
        slot.load--;
        p?.reject(new MediaError(event.code, event.message));
        return;
      }
      case 'play-done':
        this.sessions.get(event.session)?.playEnded(event.play, event.outcome);
        return;
      case 'play-failed':
        this.sessions.get(event.session)?.playEnded(event.play, new MediaError(event.code, event.message));
        return;
      case 'record-done':
        this.recordings.get(event.record)?.resolve(event.result);
        this.recordings.delete(event.record);
        return;
      case 'dtmf':
        this.sessions.get(event.session)?.events.emit('dtmf', event.digit, 'rfc4733');
        return;
      case 'timeout':
        this.sessions.get(event.session)?.events.emit('timeout');
        return;
      case 'bridge-closed':
        this.bridges.get(event.bridge)?.partClosed(slot.index);
        return;
      case 'bridge-failed':
        this.logger.warn('bridge could not start in the media worker', { code: event.code, err: event.message });
        this.bridges.get(event.bridge)?.partClosed(slot.index);
        return;
      case 'log':
        this.options.logger.log(event.level, event.message, event.meta);
        return;
      case 'ready':
      case 'shutdown-done':
        return;
    }
  }

  private sessionOwner(slot: Slot): ConstructorParameters<typeof WorkerRtpSession>[5] {
    return {
      post: (cmd) => slot.thread?.post(cmd),
      hasPrompt: (name) => this.prompts.has(name),
      record: (session, path, options) => {
        const id = ++this.nextId;
        const done = new Promise<RecordResult>((resolve) => {
          this.recordings.set(id, { slot: slot.index, resolve });
        });
        const thread = slot.thread;
        if (thread === undefined) {
          this.recordings.get(id)?.resolve({ end: 'closed', durationMs: 0, voicedMs: 0 });
          this.recordings.delete(id);
        } else thread.post({ type: 'record', session: session.id, record: id, path, options });
        return { id, done };
      },
      onClose: (session) => {
        if (this.sessions.delete(session.id)) slot.load--;
      },
    };
  }

  private onCrash(slot: Slot, err: unknown): void {
    this.logger.error('media worker failed: its calls end, it is started again', { worker: slot.index, err });
    this.workerGone(slot, 'media worker failed');
    if (this.closed) return;
    slot.crashes = performance.now() - slot.startedAt > STABLE_MS ? 1 : slot.crashes + 1;
    const delay = Math.min(RESPAWN_MAX_MS, RESPAWN_MIN_MS * 2 ** (slot.crashes - 1));
    slot.respawn = setTimeout(() => {
      slot.respawn = undefined;
      if (!this.closed) this.spawn(slot);
    }, delay);
    slot.respawn.unref();
  }

  /** Everything the thread of `slot` held is gone: pending creates fail, sessions end, bridges close. */
  private workerGone(slot: Slot, reason: string): void {
    slot.thread = undefined;
    slot.counters[COUNTER.sessions] = 0;
    for (const [id, p] of [...this.pending]) {
      if (p.slot !== slot.index) continue;
      this.pending.delete(id);
      p.reject(new MediaError('MEDIA_CLOSED', reason));
    }
    for (const bridge of [...this.bridges.values()]) {
      if (bridge.a.slot === slot.index || bridge.b.slot === slot.index) bridge.partClosed(slot.index);
    }
    for (const [id, r] of [...this.recordings]) {
      if (r.slot !== slot.index) continue;
      this.recordings.delete(id);
      r.resolve({ end: 'closed', durationMs: 0, voicedMs: 0 });
    }
    for (const session of [...this.sessions.values()]) {
      if (session.slot !== slot.index) continue;
      this.sessions.delete(session.id);
      session.workerLost();
    }
    slot.load = 0;
  }

  private own(session: RtpSession): WorkerRtpSession {
    if (!(session instanceof WorkerRtpSession) || this.sessions.get(session.id) !== session || session.isClosed) {
      throw new MediaError('BRIDGE_INVALID', 'session is closed or belongs to another media engine');
    }
    return session;
  }
}
