/**
 * The growth of each report's time between two scales measured by scripts/bench-aggregates.ts
 * (`--out` files): ms per million orders, from the difference of the two runs, and the time that
 * growth projects at `targetOrders` (issue 14: 10M orders / 50M calls), linearly (a negative growth,
 * noise, projects no growth). Linear is the pessimistic reading: the aggregate rows per day are bounded
 * (docs/bench-reports.md), so the growth flattens as they fill.
 */
import type { ReportTiming } from './aggregates-reports.js';

/** What bench-aggregates writes with `--out` (the part the growth reads). */
export interface ScaleResult {
  readonly orders: number;
  readonly calls: number;
  readonly reports: readonly ReportTiming[];
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)] ?? 0;
};

/** Several runs of one scale as one: per report and period, the median of their firsts and of their again medians. */
export function medianResult(results: readonly ScaleResult[]): ScaleResult {
  const [first] = results;
  if (first === undefined) throw new Error('no result to combine');
  const reports = first.reports.map((r) => {
    const same = results.map((x) => x.reports.find((y) => y.report === r.report && y.days === r.days)).filter((y) => y !== undefined);
    return { ...r, firstMs: median(same.map((y) => y.firstMs)), againMedianMs: median(same.map((y) => y.againMedianMs)), againMinMs: Math.min(...same.map((y) => y.againMinMs)) };
  });
  return { orders: first.orders, calls: first.calls, reports };
}

const fmt = (ms: number): string => (Math.abs(ms) >= 100 ? ms.toFixed(0) : Math.abs(ms) >= 1 ? ms.toFixed(1) : ms.toFixed(2));

/** A Markdown table: per report and period, both scales' first and again-median, the growth per 1M orders and the projection. */
export function growthTable(small: ScaleResult, large: ScaleResult, targetOrders: number): string {
  const millions = (large.orders - small.orders) / 1e6;
  if (millions <= 0) throw new Error('the second result must hold more orders than the first');
  const head = `| report | period | first ms ${label(small)} | first ms ${label(large)} | again median ${label(small)} | again median ${label(large)} | growth ms / 1M orders (first; again) | projected at ${String(targetOrders / 1e6)}M orders (first; again) |`;
  const lines = [head, '|---|--:|--:|--:|--:|--:|--:|--:|'];
  const project = (at: number, growth: number): number => at + Math.max(0, growth) * ((targetOrders - large.orders) / 1e6);
  for (const l of large.reports) {
    const s = small.reports.find((r) => r.report === l.report && r.days === l.days);
    if (s === undefined) continue;
    const gFirst = (l.firstMs - s.firstMs) / millions;
    const gAgain = (l.againMedianMs - s.againMedianMs) / millions;
    lines.push(`| ${l.report} | ${String(l.days)} d | ${fmt(s.firstMs)} | ${fmt(l.firstMs)} | ${fmt(s.againMedianMs)} | ${fmt(l.againMedianMs)} | ${fmt(gFirst)}; ${fmt(gAgain)} | ${fmt(project(l.firstMs, gFirst))}; ${fmt(project(l.againMedianMs, gAgain))} |`);
  }
  return lines.join('\n');
}

function label(r: ScaleResult): string {
  return `${(r.orders / 1e6).toFixed(1)}M`;
}
