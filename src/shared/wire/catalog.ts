/**
 * Reference data on the wire: handling units (`/api/v1/units`, api/units.routes.ts `toUnitJson`) and
 * the category tree (`/api/v1/categories`, tickets/category-service.ts). Dependency-free.
 */

/** Kinds of handling unit with their Chinese names; the English key is stored. */
export const UNIT_KINDS = { street: '街道', township: '乡镇', bureau: '委办局', enterprise: '企业' } as const;
export type UnitKind = keyof typeof UNIT_KINDS;

/** Deepest category level: 1 class … 5. */
export const MAX_CATEGORY_LEVEL = 5;

/** A handling unit (承办单位) as `/units` answers it. */
export interface HandlingUnitJson {
  readonly id: number;
  readonly code: string;
  readonly name: string;
  readonly kind: UnitKind;
  /** UNIT_KINDS[kind]. */
  readonly kindName: string;
  readonly liaisonName: string;
  readonly liaisonPhone: string;
  /** Where supervision calls ring the liaison, e.g. `sip:8001@192.168.10.21:5060`. */
  readonly liaisonSipUri: string | null;
  readonly active: boolean;
}

/** A category as `/categories/:id` answers it: its default unit named by code too. */
export interface CategoryJson {
  readonly id: number;
  readonly parentId: number | null;
  readonly code: string;
  readonly name: string;
  /** 1 for a top-level class … MAX_CATEGORY_LEVEL. */
  readonly level: number;
  readonly defaultUnitId: number | null;
  readonly defaultUnitCode: string | null;
  /** Reply deadline in working days, or (for urgent matters) in hours: at most one is set. */
  readonly replyDays: number | null;
  readonly replyHours: number | null;
  /** Sign (签收) deadline in working days. */
  readonly signDays: number | null;
  readonly active: boolean;
}

/** A node of `GET /categories` (`{ items: CategoryNodeJson[] }`, classes first, children in id order). */
export interface CategoryNodeJson extends CategoryJson {
  readonly children: readonly CategoryNodeJson[];
}
