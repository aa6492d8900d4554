/** The 诉求类别 picker's options: every category as one line with its full path. */
import type { CategoryNode } from '../../api/catalog';

export interface CategoryOption {
  readonly value: number;
  readonly label: string;
  readonly code: string;
  readonly disabled: boolean;
  /** What a search is matched against: the path and the names, lower case. */
  readonly haystack: string;
}

/** Every category, depth first (a class, then its subclasses), labelled with its full path. */
export function flattenCategories(tree: readonly CategoryNode[]): CategoryOption[] {
  const out: CategoryOption[] = [];
  const walk = (nodes: readonly CategoryNode[], parents: readonly string[]): void => {
    for (const n of nodes) {
      const names = [...parents, n.name];
      const label = names.join(' / ');
      out.push({ value: n.id, label, code: n.code, disabled: !n.active, haystack: label.toLowerCase() });
      walk(n.children, names);
    }
  };
  walk(tree, []);
  return out;
}

