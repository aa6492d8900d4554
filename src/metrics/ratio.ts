/** A ratio of two counts, 0..1; null when the denominator is 0 (no calls, no orders: no rate, not 0 %). */
export function ratio(numerator: number, denominator: number): number | null {
  return denominator <= 0 ? null : numerator / denominator;
}

/** A mean: null when nothing was counted. */
export function mean(sum: number, count: number): number | null {
  return count <= 0 ? null : sum / count;
}
