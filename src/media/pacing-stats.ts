/** Percentiles of per-packet send deviation (actual − ideal send time), in milliseconds. */
export interface PacingSnapshot {
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  packets: number;
}

const BUCKET_MS = 0.1;
const BUCKETS = 2000; // 0 … 200 ms in 0.1 ms steps; the last bucket collects everything later
const BUCKET_BYTES = BUCKETS * Uint32Array.BYTES_PER_ELEMENT;
/** After the buckets: [packet count, max lateness in ns] as float64 (a count past 2^32 stays exact). */
const TOTALS = 2;

/**
 * A fixed histogram of send deviations: O(1) per packet, no allocation, so it can stay on in production
 * and a benchmark reads p99 from it. Resolution 0.1 ms.
 *
 * Its memory may be a SharedArrayBuffer (`PacingStats.sharedBuffer()`): a media worker records into
 * it and the main thread reads (and resets) it without a message. The two threads do not lock: a
 * reset racing a record may lose that one packet, which a statistic can afford.
 */
export class PacingStats {
  private readonly buckets: Uint32Array;
  private readonly totals: Float64Array;

  constructor(memory?: SharedArrayBuffer) {
    const buffer = memory ?? new ArrayBuffer(BUCKET_BYTES + TOTALS * Float64Array.BYTES_PER_ELEMENT);
    this.buckets = new Uint32Array(buffer, 0, BUCKETS);
    this.totals = new Float64Array(buffer, BUCKET_BYTES, TOTALS);
  }

  /** Memory for a PacingStats shared between threads. */
  static sharedBuffer(): SharedArrayBuffer {
    return new SharedArrayBuffer(BUCKET_BYTES + TOTALS * Float64Array.BYTES_PER_ELEMENT);
  }

  /** One snapshot over several histograms (the media workers' clocks), as if they were one. */
  static merged(all: readonly PacingStats[]): PacingSnapshot {
    const sum = new PacingStats();
    for (const s of all) {
      for (let i = 0; i < BUCKETS; i++) sum.buckets[i] = (sum.buckets[i] ?? 0) + (s.buckets[i] ?? 0);
      sum.totals[0] = (sum.totals[0] ?? 0) + (s.totals[0] ?? 0);
      sum.totals[1] = Math.max(sum.totals[1] ?? 0, s.totals[1] ?? 0);
    }
    return sum.snapshot();
  }

  /** Records one packet sent `lateNs` nanoseconds after its ideal time (negative counts as 0). */
  record(lateNs: number): void {
    const ns = lateNs > 0 ? lateNs : 0;
    const i = Math.min(BUCKETS - 1, Math.floor(ns / (BUCKET_MS * 1e6)));
    this.buckets[i] = (this.buckets[i] ?? 0) + 1;
    this.totals[0] = (this.totals[0] ?? 0) + 1;
    if (ns > (this.totals[1] ?? 0)) this.totals[1] = ns;
  }

  snapshot(): PacingSnapshot {
    return { p50Ms: this.percentile(0.5), p99Ms: this.percentile(0.99), maxMs: (this.totals[1] ?? 0) / 1e6, packets: this.totals[0] ?? 0 };
  }

  reset(): void {
    this.buckets.fill(0);
    this.totals.fill(0);
  }

  /** Upper edge of the bucket holding the q-quantile. */
  private percentile(q: number): number {
    const count = this.totals[0] ?? 0;
    if (count === 0) return 0;
    const rank = Math.ceil(q * count);
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.buckets[i] ?? 0;
      if (seen >= rank) return Math.round((i + 1) * BUCKET_MS * 10) / 10;
    }
    return BUCKETS * BUCKET_MS;
  }
}
