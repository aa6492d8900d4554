/**
 * Reference data the order pages need: the category tree (`GET /categories`, up to five levels, each
 * with its default handling unit) and the handling units (`GET /units`). Kept by hand beside the
 * server's types (src/tickets/catalog.ts, category-service.ts). Loaded once per page load and shared;
 * `reloadCatalog()` asks again (e.g. after a failed load).
 */
import { api } from './http';

export const UNIT_KINDS = { street: '街道', township: '乡镇', bureau: '委办局', enterprise: '企业' } as const;
export type UnitKind = keyof typeof UNIT_KINDS;

export interface HandlingUnitJson {
  readonly id: number;
  readonly code: string;
  readonly name: string;
  readonly kind: UnitKind;
  readonly kindName: string;
  readonly liaisonName: string;
  readonly liaisonPhone: string;
  readonly liaisonSipUri: string | null;
  readonly active: boolean;
}

export interface CategoryNode {
  readonly id: number;
  readonly parentId: number | null;
  readonly code: string;
  readonly name: string;
  /** 1 for a top-level class … 5. */
  readonly level: number;
  readonly defaultUnitId: number | null;
  readonly defaultUnitCode: string | null;
  readonly replyDays: number | null;
  readonly replyHours: number | null;
  readonly signDays: number | null;
  readonly active: boolean;
  readonly children: readonly CategoryNode[];
}

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
