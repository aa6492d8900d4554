/**
 * Reference data the order pages need: the category tree (`GET /categories`, up to five levels, each
 * with its default handling unit) and the handling units (`GET /units`), as the server shapes them
 * (@wire/catalog = src/shared/wire/catalog.ts). Loaded once per page load and shared;
 * `reloadCatalog()` asks again (e.g. after a failed load).
 */
import * as wire from '@wire/catalog';
import type { CategoryNodeJson, HandlingUnitJson } from '@wire/catalog';
import { api } from './http';

/** The kinds of handling unit in Chinese (bound here so the table stays in this module's chunk). */
export const UNIT_KINDS = wire.UNIT_KINDS;
export const MAX_CATEGORY_LEVEL = wire.MAX_CATEGORY_LEVEL;
export type { HandlingUnitJson, UnitKind } from '@wire/catalog';
export type CategoryNode = CategoryNodeJson;

export function fetchCategoryTree(): Promise<readonly CategoryNode[]> {
  return api.get<{ items: CategoryNode[] }>('/categories').then((r) => r.items);
}

export function fetchUnits(): Promise<readonly HandlingUnitJson[]> {
  return api.get<{ items: HandlingUnitJson[] }>('/units').then((r) => r.items);
}

/** The tree with fast look-ups: by id, the path from the class down, the default unit as the server picks it. */
export class Catalog {
  private readonly byId = new Map<number, CategoryNode>();
  private readonly unitById = new Map<number, HandlingUnitJson>();

  constructor(
    readonly tree: readonly CategoryNode[],
    readonly units: readonly HandlingUnitJson[],
  ) {
    const walk = (nodes: readonly CategoryNode[]): void => {
      for (const n of nodes) {
        this.byId.set(n.id, n);
        walk(n.children);
      }
    };
    walk(tree);
    for (const u of units) this.unitById.set(u.id, u);
  }

  category(id: number | null | undefined): CategoryNode | undefined {
    return id === null || id === undefined ? undefined : this.byId.get(id);
  }

  unit(id: number | null | undefined): HandlingUnitJson | undefined {
    return id === null || id === undefined ? undefined : this.unitById.get(id);
  }

  /** The category and its ancestors, class first. */
  path(id: number | null | undefined): CategoryNode[] {
    const out: CategoryNode[] = [];
    let node = this.category(id);
    while (node !== undefined && out.length < 10) {
      out.unshift(node);
      node = this.category(node.parentId);
    }
    return out;
  }

  /** "城乡建设 / 市容环卫 / 占道经营" (or `#id` when the category is unknown). */
  pathText(id: number | null | undefined): string {
    if (id === null || id === undefined) return '—';
    const path = this.path(id);
    return path.length === 0 ? `#${id}` : path.map((c) => c.name).join(' / ');
  }

  /** The unit the server gives an order of this category by default: the nearest category up the tree naming one. */
  defaultUnitId(categoryId: number | null | undefined): number | null {
    const path = this.path(categoryId);
    for (let i = path.length - 1; i >= 0; i--) {
      const unitId = path[i]?.defaultUnitId ?? null;
      if (unitId !== null) return unitId;
    }
    return null;
  }

  unitName(id: number | null | undefined): string {
    if (id === null || id === undefined) return '—';
    return this.unit(id)?.name ?? `#${id}`;
  }
}

let loading: Promise<Catalog> | undefined;

/** The catalog, fetched once and shared by every page; a failed load is forgotten so the next call asks again. */
export function loadCatalog(): Promise<Catalog> {
  loading ??= Promise.all([fetchCategoryTree(), fetchUnits()])
    .then(([tree, units]) => new Catalog(tree, units))
    .catch((err: unknown) => {
      loading = undefined;
      throw err;
    });
  return loading;
}

export function reloadCatalog(): Promise<Catalog> {
  loading = undefined;
  return loadCatalog();
}
