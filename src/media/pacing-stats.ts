/** Percentiles of per-packet send deviation (actual − ideal send time), in milliseconds. */
export interface PacingSnapshot {
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  packets: number;
}

const BUCKET_MS = 0.1;
const BUCKETS = 2000; // 0 … 200 ms in 0.1 ms steps; the last bucket collects everything later

/**
 * A fixed histogram of send deviations: O(1) per packet, no allocation, so it can stay on in production
 * and a benchmark reads p99 from it. Resolution 0.1 ms.
 */
export class PacingStats {
  private readonly buckets = new Uint32Array(BUCKETS);
  private count = 0;
  private maxNs = 0;

  /** Records one packet sent `lateNs` nanoseconds after its ideal time (negative counts as 0). */
  record(lateNs: number): void {
    const ns = lateNs > 0 ? lateNs : 0;
    const i = Math.min(BUCKETS - 1, Math.floor(ns / (BUCKET_MS * 1e6)));
    this.buckets[i] = (this.buckets[i] ?? 0) + 1;
    this.count++;
    if (ns > this.maxNs) this.maxNs = ns;
  }

  snapshot(): PacingSnapshot {
    return { p50Ms: this.percentile(0.5), p99Ms: this.percentile(0.99), maxMs: this.maxNs / 1e6, packets: this.count };
  }

  reset(): void {
    this.buckets.fill(0);
    this.count = 0;
    this.maxNs = 0;
  }

  /** Upper edge of the bucket holding the q-quantile. */
  private percentile(q: number): number {
    if (this.count === 0) return 0;
    const rank = Math.ceil(q * this.count);
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.buckets[i] ?? 0;
      if (seen >= rank) return Math.round((i + 1) * BUCKET_MS * 10) / 10;
    }
    return BUCKETS * BUCKET_MS;
  }
}
