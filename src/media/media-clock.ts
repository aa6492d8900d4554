import type { Logger } from '../logging/logger.js';
import { PacingStats } from './pacing-stats.js';

/** 20 ms: one G.711 packet of 160 samples at 8 kHz (RFC 3551 §4.5 default packetization). */
export const PTIME_MS = 20;
const PTIME_NS = BigInt(PTIME_MS * 1_000_000);
/** When the event loop stalled longer than this, the missed ticks are dropped instead of sent in a burst. */
const MAX_CATCH_UP_TICKS = 10;

/** A stream driven by the clock. `onTick` returns true when it sent a packet (counted in pacing stats). */
export interface ClockSubscriber {
  onTick(tick: number): boolean;
}

/**
 * The one 20 ms clock of an engine: a single timer paces every stream (no timer per stream or packet).
 * Ticks are numbered from the clock's epoch; tick n is due at epoch + n × 20 ms on process.hrtime, and
 * each wake-up runs every tick due since the last one, so a late timer catches up instead of drifting.
 * The timer runs only while there are subscribers and is unref'd (sockets keep the process alive).
 */
export class MediaClock {
  private readonly subscribers = new Set<ClockSubscriber>();
  private readonly epoch = process.hrtime.bigint();
  private nextTick = 0;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  /** `stats` may live in shared memory (a media worker's clock, read by the main thread). */
  constructor(
    private readonly logger: Logger,
    readonly stats: PacingStats = new PacingStats(),
  ) {}

  /** The tick number due now (or the last one that was due). */
  currentTick(): number {
    return Number((process.hrtime.bigint() - this.epoch) / PTIME_NS);
  }

  add(subscriber: ClockSubscriber): void {
    if (this.closed) return;
    this.subscribers.add(subscriber);
    if (this.timer === undefined) {
      this.nextTick = this.currentTick() + 1;
      this.schedule();
    }
  }

  remove(subscriber: ClockSubscriber): void {
    this.subscribers.delete(subscriber);
    if (this.subscribers.size === 0) this.stop();
  }

  get size(): number {
    return this.subscribers.size;
  }

  close(): void {
    this.closed = true;
    this.subscribers.clear();
    this.stop();
  }

  private stop(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    const due = this.epoch + BigInt(this.nextTick) * PTIME_NS;
    const waitMs = Number(due - process.hrtime.bigint()) / 1e6;
    // setTimeout rounds to whole ms and fires late, never early: floor keeps the wake-up close to `due`.
    this.timer = setTimeout(() => {
      this.run();
    }, Math.max(0, Math.floor(waitMs)));
    this.timer.unref();
  }

  private run(): void {
    this.timer = undefined;
    let now = process.hrtime.bigint();
    const dueTick = Number((now - this.epoch) / PTIME_NS);
    if (dueTick - this.nextTick >= MAX_CATCH_UP_TICKS) {
      this.logger.warn('media clock stalled, dropping ticks', { ticks: dueTick - this.nextTick });
      this.nextTick = dueTick;
    }
    while (this.nextTick <= dueTick) {
      const ideal = this.epoch + BigInt(this.nextTick) * PTIME_NS;
      for (const s of this.subscribers) {
        let sent = false;
        try {
          sent = s.onTick(this.nextTick);
        } catch (err) {
          this.logger.error('media clock subscriber failed', { err });
        }
        if (sent) {
          now = process.hrtime.bigint();
          this.stats.record(Number(now - ideal));
        }
      }
      this.nextTick++;
    }
    if (this.subscribers.size > 0 && !this.closed) this.schedule();
  }
}
