/**
 * Names of categories and handling units for the order pages (GET /categories, GET /units), read
 * once per page load and shared: an order shows 供暖 / 室温不达标 and 区供暖办公室, not ids.
 */
import { api } from '../../api/http';

export interface CategoryNodeJson {
  readonly id: number;
  readonly code: string;
  readonly name: string;
  readonly children: readonly CategoryNodeJson[];
}

export interface UnitJson {
  readonly id: number;
  readonly code: string;
  readonly name: string;
  readonly kindName?: string;
  readonly liaisonName?: string;
  readonly liaisonPhone?: string;
  readonly active: boolean;
}

export interface OrderCatalog {
  /** 供暖 / 室温不达标, or 类别 #12 when unknown. */
  categoryPath(id: number): string;
  unitName(id: number | null): string;
  readonly units: readonly UnitJson[];
}

let loading: Promise<OrderCatalog> | undefined;

export function loadOrderCatalog(): Promise<OrderCatalog> {
  loading ??= read().catch((err: unknown) => {
    loading = undefined; // a failed read is tried again next time
    throw err;
  });
  return loading;
}

/** For tests: forget what was read. */
export function resetOrderCatalog(): void {
  loading = undefined;
}

async function read(): Promise<OrderCatalog> {
  const [categories, units] = await Promise.all([api.get<{ items: CategoryNodeJson[] }>('/categories'), api.get<{ items: UnitJson[] }>('/units')]);
  const paths = new Map<number, string>();
  const walk = (nodes: readonly CategoryNodeJson[], prefix: string) => {
    for (const n of nodes) {
      const path = prefix === '' ? n.name : `${prefix} / ${n.name}`;
      paths.set(n.id, path);
      walk(n.children, path);
    }
  };
  walk(categories.items, '');
  const unitNames = new Map(units.items.map((u) => [u.id, u.name]));
  return {
    categoryPath: (id) => paths.get(id) ?? `类别 #${id}`,
    unitName: (id) => (id === null ? '—' : (unitNames.get(id) ?? `单位 #${id}`)),
    units: units.items,
  };
}
