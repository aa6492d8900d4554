import type { Logger } from '../logging/logger.js';
import { ConfigError } from '../shared/app-error.js';

/** Why a new INVITE was refused with 503: too many per second, too many at once, or the event loop is late. */
export type ShedReason = 'rate' | 'concurrency' | 'lag';

/** The verdict on one new INVITE: `admit`, or the reason it is shed. */
export type AdmissionVerdict = 'admit' | ShedReason;

export const SHED_REASONS: readonly ShedReason[] = ['rate', 'concurrency', 'lag'];

export interface AdmissionOptions {
  /** New calls admitted per second on average (token bucket); 0 = no rate limit (SIP_MAX_CALLS_PER_S). */
  readonly maxCallsPerS: number;
  /** Calls admitted back to back before the rate applies; default one second's worth (at least 1). */
  readonly burst?: number;
  /** Live legs at or above which new INVITEs are refused; 0 = no cap (SIP_MAX_CALLS). */
  readonly maxCalls: number;
  /** Event-loop delay above which a growing share of new INVITEs is shed; 0 = off (SIP_OVERLOAD_LAG_MS). */
  readonly lagThresholdMs: number;
  /** Monotonic milliseconds (performance.now in production, a fake in tests). */
  readonly now: () => number;
  readonly logger: Logger;
}

/** Share of new INVITEs added to the lag shedding per sample above the threshold, times lag/threshold (capped). */
const SHED_STEP_UP = 0.1;
/** At most this much added per sample, however late the loop is. */
const SHED_STEP_UP_MAX = 0.4;
/** Taken off per sample below half the threshold: 100 % shedding is gone 2 s after the load (20 samples of 100 ms). */
const SHED_STEP_DOWN = 0.05;
/** One summary line at most this often while shedding, never one per INVITE. */
const LOG_INTERVAL_MS = 10_000;
/** Retry-After (seconds) per reason: RFC 3261 §21.5.4. A proxy or SBC takes the whole server as down for this long (§16.7), so keep them short. */
const RETRY_AFTER_S: Readonly<Record<ShedReason, number>> = { rate: 1, lag: 2, concurrency: 5 };

/**
 * Admission control for new calls (out-of-dialog INVITEs only; nothing else is ever shed). Three
 * checks, cheapest first:
 * - concurrency: live legs ≥ `maxCalls` (each holds an RTP port; beyond it the media engine would
 *   refuse anyway, but only after a transaction, a leg and a port search);
 * - lag: the event loop runs late (sampled every ~100 ms by EventLoopLagSampler). Above the threshold
 *   the shed share grows with every late sample; below half the threshold it shrinks again
 *   (hysteresis: between the two it holds). Shedding is deterministic — with share s, exactly
 *   s of every run of INVITEs is refused — so tests and operators see the same figures;
 * - rate: a token bucket of `maxCallsPerS` per second, `burst` deep. Only admitted calls take a token.
 *
 * `admit()` is on the per-INVITE path: no allocation, no Error, no log line.
 */
export class AdmissionController {
  private tokens: number;
  private lastRefill: number;
  private readonly burst: number;
  private share = 0;
  private credit = 0;
  private lastLag = 0;
  private readonly totals: Record<ShedReason, number> = { rate: 0, concurrency: 0, lag: 0 };
  private readonly sinceLog: Record<ShedReason, number> = { rate: 0, concurrency: 0, lag: 0 };
  private lastLogAt = -Infinity;

  constructor(private readonly options: AdmissionOptions) {
    for (const [key, value] of [['maxCallsPerS', options.maxCallsPerS], ['maxCalls', options.maxCalls], ['lagThresholdMs', options.lagThresholdMs]] as const) {
      if (!Number.isFinite(value) || value < 0) throw new ConfigError(`admission: ${key} must be a number ≥ 0, got ${String(value)}`);
    }
    this.burst = options.burst ?? Math.max(1, options.maxCallsPerS);
    if (!(this.burst >= 1)) throw new ConfigError(`admission: burst must be ≥ 1, got ${String(options.burst)}`);
    this.tokens = this.burst;
    this.lastRefill = options.now();
  }

  /** The verdict for one new INVITE while `liveCalls` legs are up. A shed INVITE is counted here. */
  admit(liveCalls: number): AdmissionVerdict {
    const { maxCalls, maxCallsPerS } = this.options;
    if (maxCalls > 0 && liveCalls >= maxCalls) return this.shed('concurrency');
    if (this.share > 0) {
      this.credit += 1 - this.share;
      if (this.credit < 1) return this.shed('lag');
      this.credit -= 1;
    }
    if (maxCallsPerS > 0) {
      const now = this.options.now();
      this.tokens = Math.min(this.burst, this.tokens + ((now - this.lastRefill) * maxCallsPerS) / 1000);
      this.lastRefill = now;
      if (this.tokens < 1) return this.shed('rate');
      this.tokens -= 1;
    }
    return 'admit';
  }

  /** Seconds for the Retry-After of a 503 shed for `reason`. */
  retryAfterS(reason: ShedReason): number {
    return RETRY_AFTER_S[reason];
  }

  /**
   * One event-loop delay sample (ms), every ~100 ms. Above the threshold the shed share grows (more
   * the later the loop); below half of it the share falls; in between it holds (hysteresis).
   */
  onLagSample(lagMs: number): void {
    this.lastLag = lagMs;
    const threshold = this.options.lagThresholdMs;
    if (threshold > 0) {
      if (lagMs > threshold) {
        this.share = Math.min(1, this.share + Math.min(SHED_STEP_UP_MAX, SHED_STEP_UP * (lagMs / threshold)));
      } else if (lagMs < threshold / 2 && this.share > 0) {
        // Below a millionth is 0: twenty float subtractions of 0.05 from 1 need not land on 0 exactly.
        this.share = this.share - SHED_STEP_DOWN < 1e-6 ? 0 : this.share - SHED_STEP_DOWN;
        if (this.share === 0) this.credit = 0;
      }
    }
    this.flushLog(false);
  }

  /** The latest event-loop delay sample, ms. */
  get lagMs(): number {
    return this.lastLag;
  }

  /** Share of new INVITEs currently shed for lag, 0..1. */
  get shedShare(): number {
    return this.share;
  }

  /** INVITEs shed since start, by reason. */
  get shedTotals(): Readonly<Record<ShedReason, number>> {
    return this.totals;
  }

  private shed(reason: ShedReason): ShedReason {
    this.totals[reason]++;
    this.sinceLog[reason]++;
    this.flushLog(true);
    return reason;
  }

  /** At most one line per LOG_INTERVAL_MS, with the counts since the last one. */
  private flushLog(shedding: boolean): void {
    const pending = this.sinceLog;
    if (!shedding && pending.rate + pending.concurrency + pending.lag === 0) return;
    const now = this.options.now();
    if (now - this.lastLogAt < LOG_INTERVAL_MS) return;
    this.lastLogAt = now;
    this.options.logger.warn('sip: overload, new calls refused with 503', {
      rate: pending.rate,
      concurrency: pending.concurrency,
      lag: pending.lag,
      lagMs: Math.round(this.lastLag),
      shedShare: Math.round(this.share * 100) / 100,
    });
    pending.rate = 0;
    pending.concurrency = 0;
    pending.lag = 0;
  }
}
