import type { CategoryTrendsJson, CategoryVolumeJson } from '../shared/wire/reports.js';
import { ratio } from './ratio.js';
import type { CategoryCount, CategoryRef } from './report-queries.js';

/**
 * Volumes by category for the weekly analysis (热点): per category orders are filed under ("leaf"),
 * per top class (the level-1 ancestor), and the rising ones against the previous period of the same
 * length: change = count − previous, changeRate = change ÷ previous (null when previous is 0).
 * Rising: categories with change > 0, the largest change first (then changeRate, a new category
 * with no previous orders first; then code), top N.
 */
export type CategoryVolume = CategoryVolumeJson;
export type CategoryTrends = CategoryTrendsJson;

export const DEFAULT_RISING_TOP = 10;

export function categoryTrends(categories: readonly CategoryRef[], current: readonly CategoryCount[], previous: readonly CategoryCount[], risingTop = DEFAULT_RISING_TOP): CategoryTrends {
  const byId = new Map(categories.map((c) => [c.id, c]));
  const lineage = (id: number): CategoryRef[] => {
    const chain: CategoryRef[] = [];
    const seen = new Set<number>();
    let node = byId.get(id);
    // The tree is data: a loop in it must not hang the report.
    while (node !== undefined && !seen.has(node.id)) {
      seen.add(node.id);
      chain.unshift(node);
      node = node.parentId === null ? undefined : byId.get(node.parentId);
    }
    return chain;
  };
  const leafCounts = new Map<number, { count: number; previous: number }>();
  const add = (rows: readonly CategoryCount[], key: 'count' | 'previous', target: Map<number, { count: number; previous: number }>, idOf: (id: number) => number | undefined): void => {
    for (const row of rows) {
      const id = idOf(row.categoryId);
      if (id === undefined) continue;
      const entry = target.get(id) ?? { count: 0, previous: 0 };
      entry[key] += row.count;
      target.set(id, entry);
    }
  };
  add(current, 'count', leafCounts, (id) => id);
  add(previous, 'previous', leafCounts, (id) => id);
  const topCounts = new Map<number, { count: number; previous: number }>();
  const topOf = (id: number): number | undefined => lineage(id)[0]?.id ?? id;
  add(current, 'count', topCounts, topOf);
  add(previous, 'previous', topCounts, topOf);

  const volumes = (counts: Map<number, { count: number; previous: number }>): CategoryVolume[] =>
    [...counts].map(([id, c]) => {
      const chain = lineage(id);
      const self = byId.get(id);
      const change = c.count - c.previous;
      return {
        categoryId: id,
        code: self?.code ?? String(id),
        name: self?.name ?? String(id),
        path: chain.length === 0 ? String(id) : chain.map((n) => n.name).join(' / '),
        count: c.count,
        previous: c.previous,
        change,
        changeRate: ratio(change, c.previous),
      };
    });
  const byCount = (a: CategoryVolume, b: CategoryVolume): number => b.count - a.count || a.code.localeCompare(b.code);
  const leaves = volumes(leafCounts).sort(byCount);
  const rising = leaves
    .filter((v) => v.change > 0)
    .sort((a, b) => b.change - a.change || (b.changeRate ?? Number.MAX_VALUE) - (a.changeRate ?? Number.MAX_VALUE) || a.code.localeCompare(b.code))
    .slice(0, risingTop);
  return { leaves, tops: volumes(topCounts).sort(byCount), rising };
}
