import type { DirectRateRowJson } from '../shared/wire/ivr-reports.js';
import { ratio } from './ratio.js';
import type { CategoryRef } from './report-queries.js';

/**
 * 直办率 (issue 12), written once: per category, direct ÷ received, where
 * - received: orders whose created_at is in the period, filed under the category (受理量, as the
 *   category report counts them);
 * - direct: of those, orders answered on the call and closed at once (tickets.answered_on_call, 直办).
 * Over all categories the same with the sums. Counted in SQL by db/containment-queries.ts.
 */
export type DirectRateRow = DirectRateRowJson;

export interface CategoryDirectCount {
  readonly categoryId: number;
  readonly received: number;
  readonly direct: number;
}

export function directRate(c: { readonly received: number; readonly direct: number }): number | null {
  return ratio(c.direct, c.received);
}

/** A row per category with orders (most orders first, then code), named from the category tree. */
export function directRates(categories: readonly CategoryRef[], counts: readonly CategoryDirectCount[]): DirectRateRow[] {
  const byId = new Map(categories.map((c) => [c.id, c]));
  const pathOf = (id: number): string => {
    const names: string[] = [];
    const seen = new Set<number>();
    let node = byId.get(id);
    // The tree is data: a loop in it must not hang the report.
    while (node !== undefined && !seen.has(node.id)) {
      seen.add(node.id);
      names.unshift(node.name);
      node = node.parentId === null ? undefined : byId.get(node.parentId);
    }
    return names.length === 0 ? String(id) : names.join(' / ');
  };
  return counts
    .filter((c) => c.received > 0)
    .map((c) => {
      const self = byId.get(c.categoryId);
      return {
        categoryId: c.categoryId,
        code: self?.code ?? String(c.categoryId),
        name: self?.name ?? String(c.categoryId),
        path: pathOf(c.categoryId),
        received: c.received,
        direct: c.direct,
        directRate: directRate(c),
      };
    })
    .sort((a, b) => b.received - a.received || a.code.localeCompare(b.code));
}
