/**
 * Handling units (承办单位) and the category tree (class → sub-class → item …): the reference data
 * a work order points at. Seeded from sql/seed/*.yaml, edited by admins; repositories live in db/.
 */

/** Kinds of handling unit with their Chinese names; the English key is stored. */
export const UNIT_KINDS = { street: '街道', township: '乡镇', bureau: '委办局', enterprise: '企业' } as const;
export type UnitKind = keyof typeof UNIT_KINDS;

export interface HandlingUnit {
  readonly id: number;
  readonly code: string;
  readonly name: string;
  readonly kind: UnitKind;
  readonly liaisonName: string;
  readonly liaisonPhone: string;
  /** Where supervision calls ring the liaison, e.g. `sip:8001@192.168.10.21:5060`. */
  readonly liaisonSipUri: string | null;
  readonly active: boolean;
}

export type NewHandlingUnit = Omit<HandlingUnit, 'id'>;
export type HandlingUnitPatch = Partial<Omit<HandlingUnit, 'id' | 'code'>>;

/** Deepest category level: 1 class … 5. */
export const MAX_CATEGORY_LEVEL = 5;

export interface Category {
  readonly id: number;
  readonly parentId: number | null;
  readonly code: string;
  readonly name: string;
  /** 1 for a top-level class. */
  readonly level: number;
  readonly defaultUnitId: number | null;
  /** Reply deadline in working days, or (for urgent matters) in hours: at most one is set. */
  readonly replyDays: number | null;
  readonly replyHours: number | null;
  /** Sign (签收) deadline in working days. */
  readonly signDays: number | null;
  readonly active: boolean;
}

export type NewCategory = Omit<Category, 'id'>;
export type CategoryPatch = Partial<Pick<Category, 'name' | 'defaultUnitId' | 'replyDays' | 'replyHours' | 'signDays' | 'active'>>;

export interface UnitRepository {
  list(): Promise<HandlingUnit[]>;
  get(id: number): Promise<HandlingUnit | undefined>;
  getByCode(code: string): Promise<HandlingUnit | undefined>;
  /** Throws AppError DUPLICATE when the code is taken. */
  create(unit: NewHandlingUnit): Promise<HandlingUnit>;
  /** Throws NotFoundError when there is no such unit. */
  update(id: number, patch: HandlingUnitPatch): Promise<HandlingUnit>;
}

export interface CategoryRepository {
  /** Every category, parents before children (level, then id). */
  list(): Promise<Category[]>;
  get(id: number): Promise<Category | undefined>;
  /** The category and its ancestors, nearest first (self, parent, …, class); empty when unknown. */
  lineage(id: number): Promise<Category[]>;
  /** Throws AppError DUPLICATE when the code is taken. */
  create(category: NewCategory): Promise<Category>;
  /** Throws NotFoundError when there is no such category. */
  update(id: number, patch: CategoryPatch): Promise<Category>;
}
