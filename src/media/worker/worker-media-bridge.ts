import { TypedEmitter } from '../../shared/typed-emitter.js';
import type { MediaBridge, MediaBridgeEvents } from '../media-types.js';
import type { WorkerRtpSession } from './worker-rtp-session.js';

/**
 * The main thread's face of a bridge run by the media workers: one RtpMediaBridge when both sessions
 * are in one worker, else a CrossWorkerRelay in each of the two. It is closed when every worker part
 * reported 'bridge-closed' (the recording, written by the caller's worker, is then complete).
 */
export class WorkerMediaBridge implements MediaBridge {
  readonly events = new TypedEmitter<MediaBridgeEvents>();
  readonly done: Promise<void>;
  private resolveDone: () => void = () => undefined;
  /** Worker slots whose part has not reported closed yet. */
  private readonly open: Set<number>;
  private requested = false;

  constructor(
    readonly id: number,
    readonly a: WorkerRtpSession,
    readonly b: WorkerRtpSession,
    readonly recordingPath: string | undefined,
    private readonly requestClose: (slot: number) => void,
  ) {
    this.open = new Set([a.slot, b.slot]);
    this.done = new Promise<void>((resolve) => {
      this.resolveDone = resolve;
    });
  }

  /** Stops relaying and finishes the recording; safe twice (same promise), never rejects. */
  close(): Promise<void> {
    if (!this.requested) {
      this.requested = true;
      this.release();
      for (const slot of this.open) this.requestClose(slot);
    }
    return this.done;
  }

  /** The part in worker `slot` stopped (it closed, failed to start, or its worker is gone). */
  partClosed(slot: number): void {
    if (!this.open.delete(slot)) return;
    // A part that ended by itself (its session closed): the other part stops too.
    if (!this.requested) {
      this.requested = true;
      this.release();
      for (const other of this.open) this.requestClose(other);
    }
    if (this.open.size > 0) return;
    this.events.emit('closed');
    this.events.removeAllListeners();
    this.resolveDone();
  }

  private release(): void {
    if (this.a.bridgedBy === this.id) this.a.bridgedBy = undefined;
    if (this.b.bridgedBy === this.id) this.b.bridgedBy = undefined;
  }
}
