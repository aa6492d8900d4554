/** The seeded category tree and units, read back from the database, with inherited deadlines resolved. */
export interface UnitRow {
  readonly id: number;
  readonly code: string;
}

export interface LeafCategory {
  readonly id: number;
  readonly code: string;
  readonly name: string;
  readonly defaultUnitId: number | null;
  readonly signDays: number;
  readonly replyDays: number;
  readonly replyHours: number | null;
  /** Relative share of orders (a few categories are hot). */
  readonly weight: number;
}

export interface CategoryRow {
  readonly id: number;
  readonly parent_id: number | null;
  readonly code: string;
  readonly name: string;
  readonly default_unit_id: number | null;
  readonly reply_days: number | null;
  readonly reply_hours: number | null;
  readonly sign_days: number | null;
  readonly active: number;
}

/** Leaves of the tree; each deadline and default unit from the nearest ancestor naming one (as the seed file says). */
export function leafCategories(rows: readonly CategoryRow[], weightOf: (index: number) => number): LeafCategory[] {
  const byId = new Map(rows.map((r) => [r.id, r]));
  const parents = new Set(rows.map((r) => r.parent_id).filter((p): p is number => p !== null));
  const inherit = <T>(row: CategoryRow, get: (r: CategoryRow) => T | null): T | null => {
    for (let r: CategoryRow | undefined = row; r !== undefined; r = r.parent_id === null ? undefined : byId.get(r.parent_id)) {
      const v = get(r);
      if (v !== null) return v;
    }
    return null;
  };
  return rows
    .filter((r) => !parents.has(r.id) && r.active === 1)
    .sort((a, b) => a.id - b.id)
    .map((r, i) => ({
      id: r.id,
      code: r.code,
      name: r.name,
      defaultUnitId: inherit(r, (x) => x.default_unit_id),
      signDays: inherit(r, (x) => x.sign_days) ?? 1,
      replyDays: inherit(r, (x) => x.reply_days) ?? 4,
      replyHours: inherit(r, (x) => x.reply_hours),
      weight: weightOf(i),
    }));
}
