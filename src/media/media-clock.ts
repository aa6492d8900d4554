import type { Logger } from '../logging/logger.js';
import { PacingStats } from './pacing-stats.js';

/** 20 ms: one G.711 packet of 160 samples at 8 kHz (RFC 3551 §4.5 default packetization). */
export const PTIME_MS = 20;
/**
 * Streams are spread over this many phases of the 20 ms period (5 ms apart): each wake-up sends a
 * quarter of the packets, so a burst of sends (and the packets arriving meanwhile) delays the streams
 * at its end by a quarter of what one burst for every stream would. A stream keeps its phase for life:
 * its packets stay exactly 20 ms apart.
 */
export const CLOCK_PHASES = 4;
const SLOT_MS = PTIME_MS / CLOCK_PHASES;
/** When the event loop stalled longer than this many periods, the missed ticks are dropped instead of sent in a burst. */
const MAX_CATCH_UP_TICKS = 10;

/** A stream driven by the clock. `onTick` returns true when it sent a packet (counted in pacing stats). */
export interface ClockSubscriber {
  onTick(tick: number): boolean;
}

/**
 * The one 20 ms clock of an engine: a single timer paces every stream (no timer per stream or packet).
 * Ticks are numbered from the clock's epoch; a subscriber in phase p gets tick n at epoch + n × 20 ms +
 * p × 5 ms on performance.now() (monotonic; a double, so no allocation per packet), and each wake-up
 * runs every slot due since the last one, so a late timer catches up instead of drifting. A new
 * subscriber joins the phase with the fewest streams. The timer runs only while there are subscribers
 * and is unref'd (sockets keep the process alive).
 */
export class MediaClock {
  private readonly phases: Set<ClockSubscriber>[] = Array.from({ length: CLOCK_PHASES }, () => new Set<ClockSubscriber>());
  private readonly phaseOf = new Map<ClockSubscriber, number>();
  private readonly epoch = performance.now();
  /** The next slot (a quarter period) to run: tick = ⌊slot / CLOCK_PHASES⌋, phase = slot mod CLOCK_PHASES. */
  private nextSlot = 0;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  /** `stats` may live in shared memory (a media worker's clock, read by the main thread). */
  constructor(
    private readonly logger: Logger,
    readonly stats: PacingStats = new PacingStats(),
  ) {}

  /** The tick number due now (or the last one that was due). */
  currentTick(): number {
    return Math.floor((performance.now() - this.epoch) / PTIME_MS);
  }

  add(subscriber: ClockSubscriber): void {
    if (this.closed || this.phaseOf.has(subscriber)) return;
    let phase = 0;
    for (let p = 1; p < CLOCK_PHASES; p++) {
      if ((this.phases[p]?.size ?? 0) < (this.phases[phase]?.size ?? 0)) phase = p;
    }
    this.phases[phase]?.add(subscriber);
    this.phaseOf.set(subscriber, phase);
    if (this.timer === undefined) {
      this.nextSlot = this.currentSlot() + 1;
      this.schedule();
    }
  }

  remove(subscriber: ClockSubscriber): void {
    const phase = this.phaseOf.get(subscriber);
    if (phase === undefined) return;
    this.phases[phase]?.delete(subscriber);
    this.phaseOf.delete(subscriber);
    if (this.phaseOf.size === 0) this.stop();
  }

  get size(): number {
    return this.phaseOf.size;
  }

  close(): void {
    this.closed = true;
    for (const phase of this.phases) phase.clear();
    this.phaseOf.clear();
    this.stop();
  }

  /**
   * Runs the slots already due when their timer has not fired yet. The sessions call it after each
   * datagram they receive: one poll of the event loop hands over every socket that has a packet (a
   * thousand streams' worth at once), and a timer waits behind all of them, milliseconds at that
   * load; checked between datagrams, a slot is at most one datagram's handling late. One clock
   * read when nothing is due.
   */
  runDue(): void {
    if (this.timer === undefined || performance.now() < this.epoch + this.nextSlot * SLOT_MS) return;
    clearTimeout(this.timer);
    this.run();
  }

  private currentSlot(): number {
    return Math.floor((performance.now() - this.epoch) / SLOT_MS);
  }

  private stop(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    // Wake for the next slot that has streams (a phase without any is skipped; one that gets a stream
    // meanwhile is served from its next period on).
    for (let i = 0; i < CLOCK_PHASES - 1 && (this.phases[this.nextSlot % CLOCK_PHASES]?.size ?? 0) === 0; i++) this.nextSlot++;
    const waitMs = this.epoch + this.nextSlot * SLOT_MS - performance.now();
    // setTimeout rounds to whole ms and fires late, never early: floor keeps the wake-up close to `due`.
    this.timer = setTimeout(() => {
      this.run();
    }, Math.max(0, Math.floor(waitMs)));
    this.timer.unref();
  }

  private run(): void {
    this.timer = undefined;
    const dueSlot = this.currentSlot();
    if (dueSlot - this.nextSlot >= MAX_CATCH_UP_TICKS * CLOCK_PHASES) {
      this.logger.warn('media clock stalled, dropping ticks', { ticks: Math.floor((dueSlot - this.nextSlot) / CLOCK_PHASES) });
      this.nextSlot = dueSlot;
    }
    while (this.nextSlot <= dueSlot) {
      const slot = this.nextSlot;
      const subscribers = this.phases[slot % CLOCK_PHASES];
      if (subscribers !== undefined && subscribers.size > 0) {
        const tick = Math.floor(slot / CLOCK_PHASES);
        const ideal = this.epoch + slot * SLOT_MS;
        for (const s of subscribers) {
          let sent = false;
          try {
            sent = s.onTick(tick);
          } catch (err) {
            this.logger.error('media clock subscriber failed', { err });
          }
          if (sent) this.stats.record((performance.now() - ideal) * 1e6);
        }
      }
      this.nextSlot++;
    }
    if (this.phaseOf.size > 0 && !this.closed) this.schedule();
  }
}
