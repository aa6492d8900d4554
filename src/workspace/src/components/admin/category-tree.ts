/**
 * Reading the category tree for the admin page: where a node sits, and what it inherits from its
 * ancestors (the nearest one naming a unit or deadline wins, as in ticket-deadlines.ts).
 */
import { DEFAULT_DEADLINES, type CategoryNode, type UnitJson } from '../../api/admin';

/** What a category gets from its ancestors when it names nothing itself. */
export interface Inherited {
  readonly unitName: string;
  readonly reply: string;
  readonly signDays: number;
}

export interface TreeIndex {
  readonly byId: ReadonlyMap<number, CategoryNode>;
  /** The node and its ancestors, nearest first (self, parent, …, class). */
  lineage(id: number): CategoryNode[];
}

export function indexTree(roots: readonly CategoryNode[]): TreeIndex {
  const byId = new Map<number, CategoryNode>();
  const walk = (nodes: readonly CategoryNode[]): void => {
    for (const n of nodes) {
      byId.set(n.id, n);
      walk(n.children);
    }
  };
  walk(roots);
  return {
    byId,
    lineage(id) {
      const out: CategoryNode[] = [];
      let n = byId.get(id);
      while (n !== undefined && out.length < 10) {
        out.push(n);
        n = n.parentId === null ? undefined : byId.get(n.parentId);
      }
      return out;
    },
  };
}

export function replyText(c: Pick<CategoryNode, 'replyDays' | 'replyHours'>): string | undefined {
  if (c.replyHours !== null) return `${c.replyHours} 小时内答复`;
  if (c.replyDays !== null) return `${c.replyDays} 个工作日内答复`;
  return undefined;
}

/** What a category under the lineage `above` (nearest first; empty for a class) inherits. */
export function inheritedFrom(above: readonly CategoryNode[], units: readonly UnitJson[]): Inherited {
  const unitCode = above.find((c) => c.defaultUnitCode !== null)?.defaultUnitCode ?? null;
  const unit = unitCode === null ? undefined : units.find((u) => u.code === unitCode);
  const reply = above.find((c) => c.replyDays !== null || c.replyHours !== null);
  const signDays = above.find((c) => c.signDays !== null)?.signDays ?? DEFAULT_DEADLINES.signDays;
  return {
    unitName: unitCode === null ? '无（受理时由话务员选择）' : (unit?.name ?? unitCode),
    reply: reply === undefined ? `沿用系统默认：${DEFAULT_DEADLINES.replyDays} 个工作日内答复` : `沿用上级：${replyText(reply) ?? ''}`,
    signDays,
  };
}

/** A code for a new child: the parent's code and the next free two-digit number (0101 → 010104). */
export function suggestChildCode(parent: CategoryNode | null, roots: readonly CategoryNode[], taken: ReadonlySet<string>): string {
  const siblings = parent === null ? roots : parent.children;
  const prefix = parent?.code ?? '';
  for (let i = siblings.length + 1; i < 100; i++) {
    const code = `${prefix}${String(i).padStart(2, '0')}`;
    if (!taken.has(code)) return code;
  }
  return '';
}
