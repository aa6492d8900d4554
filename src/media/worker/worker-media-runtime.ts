import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { Logger } from '../../logging/logger.js';
import { MediaClock } from '../media-clock.js';
import { MediaError } from '../media-error.js';
import { PacingStats } from '../pacing-stats.js';
import { PortAllocator } from '../port-allocator.js';
import type { RecordOptions } from '../media-types.js';
import { PromptLibrary } from '../prompt-library.js';
import { RtpMediaBridge } from '../rtp-media-bridge.js';
import { RtpMediaSession } from '../rtp-media-session.js';
import { CrossWorkerRelay } from './cross-worker-relay.js';
import { COUNTER, type MediaWorkerData, type SharedPrompt, type WorkerCommand, type WorkerEvent } from './media-worker-protocol.js';

const LAG_SAMPLE_MS = 1000;

interface Closable {
  close(): Promise<void>;
}

/**
 * The media engine inside one worker thread: its own 20 ms MediaClock, PortAllocator on the worker's
 * sub-range, PromptLibrary (fed by the main thread), RTP sessions by the main thread's ids, and
 * bridges. It runs the commands of media-worker-protocol.ts and posts the events; counters and the
 * pacing histogram go to shared memory, read by the main thread without a message.
 */
export class WorkerMediaRuntime {
  private readonly clock: MediaClock;
  private readonly ports: PortAllocator;
  private readonly prompts: PromptLibrary;
  private readonly sessions = new Map<number, RtpMediaSession>();
  private readonly bridges = new Map<number, Closable>();
  /** Recordings in progress by the main thread's id: aborting one stops it. */
  private readonly recordings = new Map<number, AbortController>();
  private readonly counters: Float64Array;
  private readonly lag: IntervalHistogram;
  private readonly lagTimer: NodeJS.Timeout;
  private shuttingDown = false;

  constructor(
    private readonly data: MediaWorkerData,
    private readonly post: (event: WorkerEvent) => void,
    private readonly logger: Logger,
  ) {
    this.clock = new MediaClock(logger, new PacingStats(data.pacing));
    this.ports = new PortAllocator(data.bindAddress, data.portMin, data.portMax, logger);
    this.prompts = new PromptLibrary('', logger);
    for (const p of data.prompts) this.addPrompt(p);
    this.counters = new Float64Array(data.counters);
    this.counters[COUNTER.sessions] = 0;
    this.lag = monitorEventLoopDelay({ resolution: 10 });
    this.lag.enable();
    this.lagTimer = setInterval(() => {
      this.counters[COUNTER.lagP99Ms] = this.lag.percentile(99) / 1e6;
      this.counters[COUNTER.lagMaxMs] = this.lag.max / 1e6;
      this.lag.reset();
    }, LAG_SAMPLE_MS);
    this.lagTimer.unref();
  }

  handle(cmd: WorkerCommand): void {
    switch (cmd.type) {
      case 'create':
        void this.create(cmd.session, cmd.callId);
        return;
      case 'signalling-address':
        this.sessions.get(cmd.session)?.setSignallingAddress(cmd.address);
        return;
      case 'answer':
        this.sessions.get(cmd.session)?.applyAnswer(cmd.media);
        return;
      case 'accept':
        this.sessions.get(cmd.session)?.applyAcceptedAnswer(cmd.media);
        return;
      case 'confirm':
        this.sessions.get(cmd.session)?.confirmRemote();
        return;
      case 'play':
        this.play(cmd.session, cmd.play, cmd.prompts, cmd.loop);
        return;
      case 'record':
        this.record(cmd.session, cmd.record, cmd.path, cmd.options);
        return;
      case 'record-stop':
        this.recordings.get(cmd.record)?.abort();
        return;
      case 'stop-playback':
        this.sessions.get(cmd.session)?.stopPlayback();
        return;
      case 'close':
        this.sessions.get(cmd.session)?.close();
        return;
      case 'prompt-add':
        this.addPrompt(cmd.prompt);
        return;
      case 'prompt-remove':
        this.prompts.remove(cmd.name);
        return;
      case 'bridge':
        this.bridge(cmd.bridge, () => {
          const a = this.session(cmd.a);
          const b = this.session(cmd.b);
          return new RtpMediaBridge({ a, b, clock: this.clock, logger: this.logger, recordingPath: cmd.recordingPath, onClose: () => undefined });
        });
        return;
      case 'bridge-half':
        this.bridge(cmd.bridge, () => {
          try {
            return new CrossWorkerRelay(this.session(cmd.session), cmd.port, cmd.side, this.clock, this.logger, cmd.recordingPath);
          } catch (err) {
            // The peer half must not wait for packets that will never come.
            cmd.port.postMessage({ k: 'closed' });
            cmd.port.close();
            throw err;
          }
        });
        return;
      case 'bridge-close':
        void this.bridges.get(cmd.bridge)?.close();
        return;
      case 'shutdown':
        void this.shutdown();
        return;
      case 'crash':
        setImmediate(() => {
          throw new Error('media worker crash drill');
        });
        return;
    }
  }

  private async create(id: number, callId: string): Promise<void> {
    let allocated: Awaited<ReturnType<PortAllocator['allocate']>>;
    try {
      allocated = await this.ports.allocate();
    } catch (err) {
      const code = err instanceof MediaError ? err.code : 'RTP_PORTS_EXHAUSTED';
      this.post({ type: 'create-failed', session: id, code, message: err instanceof Error ? err.message : String(err) });
      return;
    }
    const { socket, port } = allocated;
    if (this.shuttingDown) {
      socket.close();
      this.ports.release(port);
      this.post({ type: 'create-failed', session: id, code: 'MEDIA_CLOSED', message: 'media engine is closed' });
      return;
    }
    const session = new RtpMediaSession({
      callId,
      socket,
      localPort: port,
      publicAddress: this.data.publicAddress,
      clock: this.clock,
      prompts: this.prompts,
      logger: this.logger,
      mediaTimeoutMs: this.data.mediaTimeoutMs,
      comfortSilence: this.data.comfortSilence,
      relatchSilenceMs: this.data.relatchSilenceMs,
      dtls: this.data.dtls,
      sdesPolicy: this.data.sdesPolicy,
      onForeignPacket: () => {
        this.counters[COUNTER.foreignDropped] = (this.counters[COUNTER.foreignDropped] ?? 0) + 1;
      },
      onSrtpDropped: (reason) => {
        const slot = reason === 'auth' ? COUNTER.srtpAuthFailed : COUNTER.srtpReplayed;
        this.counters[slot] = (this.counters[slot] ?? 0) + 1;
      },
      onClose: (s) => {
        this.sessions.delete(id);
        this.ports.release(s.localPort);
        this.counters[COUNTER.sessions] = this.sessions.size;
      },
    });
    session.events.on('dtmf', (digit, source) => {
      if (source === 'rfc4733') this.post({ type: 'dtmf', session: id, digit });
    });
    session.events.on('timeout', () => {
      this.post({ type: 'timeout', session: id });
    });
    this.sessions.set(id, session);
    this.counters[COUNTER.sessions] = this.sessions.size;
    this.post({ type: 'created', session: id, port });
  }

  private play(id: number, play: number, names: readonly string[], loop: boolean): void {
    const session = this.sessions.get(id);
    if (session === undefined) {
      this.post({ type: 'play-done', session: id, play, outcome: 'stopped' });
      return;
    }
    session.play(names, undefined, { loop }).then(
      (outcome) => {
        this.post({ type: 'play-done', session: id, play, outcome });
      },
      (err: unknown) => {
        const code = err instanceof MediaError ? err.code : 'PROMPT_NOT_FOUND';
        this.post({ type: 'play-failed', session: id, play, code, message: err instanceof Error ? err.message : String(err) });
      },
    );
  }

  private record(id: number, record: number, path: string, options: RecordOptions): void {
    const session = this.sessions.get(id);
    if (session === undefined) {
      this.post({ type: 'record-done', record, result: { end: 'closed', durationMs: 0, voicedMs: 0 } });
      return;
    }
    const stop = new AbortController();
    this.recordings.set(record, stop);
    void session.record(path, options, stop.signal).then((result) => {
      this.recordings.delete(record);
      this.post({ type: 'record-done', record, result });
    });
  }

  private bridge(id: number, make: () => RtpMediaBridge | CrossWorkerRelay): void {
    let bridge: RtpMediaBridge | CrossWorkerRelay;
    try {
      bridge = make();
    } catch (err) {
      const code = err instanceof MediaError ? err.code : 'BRIDGE_INVALID';
      this.post({ type: 'bridge-failed', bridge: id, code, message: err instanceof Error ? err.message : String(err) });
      return;
    }
    this.bridges.set(id, bridge);
    bridge.events.once('closed', () => {
      this.bridges.delete(id);
      this.post({ type: 'bridge-closed', bridge: id });
    });
  }

  private session(id: number): RtpMediaSession {
    const s = this.sessions.get(id);
    if (s === undefined) throw new MediaError('BRIDGE_INVALID', 'session is closed or belongs to another media engine');
    return s;
  }

  private addPrompt(p: SharedPrompt): void {
    // Views on the shared memory: no copy per worker.
    const pcmu = Buffer.from(p.pcmu.buffer, p.pcmu.byteOffset, p.pcmu.byteLength);
    const pcma = Buffer.from(p.pcma.buffer, p.pcma.byteOffset, p.pcma.byteLength);
    this.prompts.add({ name: p.name, pcmu, pcma, durationMs: p.durationMs });
  }

  private async shutdown(): Promise<void> {
    if (this.shuttingDown) return;
    this.shuttingDown = true;
    const finishing = [...this.bridges.values()].map((b) => b.close());
    for (const s of [...this.sessions.values()]) s.close();
    this.clock.close();
    await Promise.all(finishing);
    clearInterval(this.lagTimer);
    this.lag.disable();
    this.post({ type: 'shutdown-done' });
  }
}
