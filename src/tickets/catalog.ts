/**
 * Handling units (承办单位) and the category tree (class → sub-class → item …): the reference data
 * a work order points at. Seeded from sql/seed/*.yaml, edited by admins; repositories live in db/.
 */

import type { CategoryJson, HandlingUnitJson } from '../shared/wire/catalog.js';

/** Kinds of handling unit with their Chinese names (the English key is stored), and the deepest category level. */
export { MAX_CATEGORY_LEVEL, UNIT_KINDS, type UnitKind } from '../shared/wire/catalog.js';

/** A handling unit as stored: the wire shape without the derived `kindName`. */
export type HandlingUnit = Omit<HandlingUnitJson, 'kindName'>;

export type NewHandlingUnit = Omit<HandlingUnit, 'id'>;
export type HandlingUnitPatch = Partial<Omit<HandlingUnit, 'id' | 'code'>>;

/** A category as stored: the wire shape without the derived `defaultUnitCode`. */
export type Category = Omit<CategoryJson, 'defaultUnitCode'>;

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
