/**
 * Reads the server's GET /metrics (Prometheus text exposition) into plain numbers for the benchmark:
 * one sample per `name{labels}` line, and p-quantiles of a histogram between two scrapes.
 */

/** One scrape: sample values by their series key (`name` or `name{a="b",...}` exactly as printed). */
export interface Scrape {
  /** Date.now() when the scrape answered. */
  at: number;
  samples: Map<string, number>;
}

/** Parses exposition text; comment lines and unparsable lines are skipped. */
export function parsePrometheus(text: string, at = Date.now()): Scrape {
  const samples = new Map<string, number>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.length === 0 || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{[^}]*\})?)\s+(\S+)/.exec(line);
    const key = match?.[1];
    const value = match?.[2];
    if (key === undefined || value === undefined) continue;
    const num = value === '+Inf' ? Infinity : value === '-Inf' ? -Infinity : Number(value);
    if (!Number.isNaN(num)) samples.set(key, num);
  }
  return { at, samples };
}

/** GET <baseUrl>/metrics, parsed; rejects after timeoutMs. */
export async function scrape(baseUrl: string, timeoutMs = 5000): Promise<Scrape> {
  const res = await fetch(`${baseUrl}/metrics`, { signal: AbortSignal.timeout(timeoutMs) });
  if (!res.ok) throw new Error(`GET /metrics → ${res.status}`);
  return parsePrometheus(await res.text());
}

/** A sample's value, or undefined when the server does not export it. */
export function sample(s: Scrape, key: string): number | undefined {
  return s.samples.get(key);
}

/** Cumulative bucket counts of histogram `name`, ordered by upper bound (+Inf last). */
export function histogramBuckets(s: Scrape, name: string): { le: number; count: number }[] {
  const prefix = `${name}_bucket{`;
  const buckets: { le: number; count: number }[] = [];
  for (const [key, value] of s.samples) {
    if (!key.startsWith(prefix)) continue;
    const le = /le="([^"]+)"/.exec(key)?.[1];
    if (le === undefined) continue;
    buckets.push({ le: le === '+Inf' ? Infinity : Number(le), count: value });
  }
  return buckets.sort((a, b) => a.le - b.le);
}

export interface HistogramQuantile {
  /** Linear interpolation inside the bucket, as PromQL histogram_quantile does (seconds). */
  estimate: number;
  /** Upper bound of the bucket holding the quantile (seconds; Infinity for the overflow bucket). */
  upperBound: number;
  /** Observations counted between the two scrapes. */
  count: number;
}

/**
 * The q-quantile (0..1) of the observations histogram `name` received between `before` and `after`
 * (pass `undefined` as before for everything since start). Undefined when nothing was observed.
 */
export function histogramQuantile(before: Scrape | undefined, after: Scrape, name: string, q: number): HistogramQuantile | undefined {
  const end = histogramBuckets(after, name);
  const start = before === undefined ? [] : histogramBuckets(before, name);
  const delta = end.map((b) => ({ le: b.le, count: b.count - (start.find((s) => s.le === b.le)?.count ?? 0) }));
  const total = delta[delta.length - 1]?.count ?? 0;
  if (total <= 0) return undefined;
  const rank = q * total;
  let lowerBound = 0;
  let lowerCount = 0;
  for (const bucket of delta) {
    if (bucket.count >= rank) {
      if (!Number.isFinite(bucket.le)) return { estimate: lowerBound, upperBound: Infinity, count: total };
      const inBucket = bucket.count - lowerCount;
      const fraction = inBucket > 0 ? (rank - lowerCount) / inBucket : 1;
      return { estimate: lowerBound + (bucket.le - lowerBound) * fraction, upperBound: bucket.le, count: total };
    }
    lowerBound = bucket.le;
    lowerCount = bucket.count;
  }
  return undefined;
}
