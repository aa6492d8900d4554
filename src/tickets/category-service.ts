import { NotFoundError } from '../shared/app-error.js';
import { categoryPatchSchema, newCategorySchema } from './catalog-schemas.js';
import { MAX_CATEGORY_LEVEL, type Category, type CategoryPatch, type CategoryRepository, type UnitRepository } from './catalog.js';
import type { CategoryJson } from '../shared/wire/catalog.js';
import { parseWithIssues, refuse, type FieldIssue } from './parse-with-issues.js';

/** A category as shown to users (the wire shape): its default unit named by code too. */
export type CategoryView = CategoryJson;

export interface CategoryNode extends CategoryView {
  readonly children: CategoryNode[];
}

/** The category tree (分类): read by everyone, edited by admins. */
export class CategoryService {
  constructor(
    private readonly deps: {
      readonly categories: CategoryRepository;
      readonly units: UnitRepository;
      /** Told a category's name after a create or a rename (the IVR pre-synthesises it: calls/catalogue-speech.ts). */
      readonly onNamed?: (name: string) => void;
    },
  ) {}

  /** Every category as a tree, classes first, children in id order. */
  async tree(): Promise<CategoryNode[]> {
    const [categories, codes] = await Promise.all([this.deps.categories.list(), this.unitCodes()]);
    const nodes = new Map<number, CategoryNode>();
    const roots: CategoryNode[] = [];
    for (const c of categories) nodes.set(c.id, { ...view(c, codes), children: [] });
    for (const c of categories) {
      const node = nodes.get(c.id);
      if (node === undefined) continue;
      const parent = c.parentId === null ? undefined : nodes.get(c.parentId);
      (parent ? parent.children : roots).push(node);
    }
    return roots;
  }

  async get(id: number): Promise<CategoryView> {
    const category = await this.deps.categories.get(id);
    if (category === undefined) throw new NotFoundError(`no category ${id}`);
    return view(category, await this.unitCodes());
  }

  async create(input: unknown): Promise<CategoryView> {
    const form = parseWithIssues(newCategorySchema, input, 'category');
    const issues: FieldIssue[] = [];
    let level = 1;
    if (form.parentId !== undefined && form.parentId !== null) {
      const parent = await this.deps.categories.get(form.parentId);
      if (parent === undefined) issues.push({ path: 'parentId', message: `names no category (${form.parentId})` });
      else if (parent.level >= MAX_CATEGORY_LEVEL) issues.push({ path: 'parentId', message: `names a level-${MAX_CATEGORY_LEVEL} category; the tree is at most ${MAX_CATEGORY_LEVEL} levels deep` });
      else level = parent.level + 1;
    }
    const defaultUnitId = await this.unitIdFor(form.defaultUnitCode, issues);
    if (issues.length > 0) refuse('category', issues);
    const created = await this.deps.categories.create({
      parentId: form.parentId ?? null,
      code: form.code,
      name: form.name,
      level,
      defaultUnitId: defaultUnitId ?? null,
      replyDays: form.replyDays ?? null,
      replyHours: form.replyHours ?? null,
      signDays: form.signDays ?? null,
      active: form.active,
    });
    this.deps.onNamed?.(created.name);
    return view(created, await this.unitCodes());
  }

  /** Changes name, default unit, deadlines or active; code and place in the tree stay. */
  async update(id: number, input: unknown): Promise<CategoryView> {
    const form = parseWithIssues(categoryPatchSchema, input, 'category');
    const issues: FieldIssue[] = [];
    const defaultUnitId = await this.unitIdFor(form.defaultUnitCode, issues);
    if (issues.length > 0) refuse('category', issues);
    const patch: { -readonly [K in keyof CategoryPatch]: CategoryPatch[K] } = {};
    if (form.name !== undefined) patch.name = form.name;
    if (defaultUnitId !== undefined) patch.defaultUnitId = defaultUnitId;
    if (form.replyDays !== undefined) patch.replyDays = form.replyDays;
    if (form.replyHours !== undefined) patch.replyHours = form.replyHours;
    // One reply deadline at a time: setting one kind clears the other.
    if (typeof form.replyDays === 'number') patch.replyHours = null;
    if (typeof form.replyHours === 'number') patch.replyDays = null;
    if (form.signDays !== undefined) patch.signDays = form.signDays;
    if (form.active !== undefined) patch.active = form.active;
    const updated = await this.deps.categories.update(id, patch);
    if (form.name !== undefined) this.deps.onNamed?.(updated.name);
    return view(updated, await this.unitCodes());
  }

  /** undefined: not given; null: cleared; else the id of the unit with that code (an issue when none). */
  private async unitIdFor(code: string | null | undefined, issues: FieldIssue[]): Promise<number | null | undefined> {
    if (code === undefined || code === null) return code;
    const unit = await this.deps.units.getByCode(code);
    if (unit === undefined) {
      issues.push({ path: 'defaultUnitCode', message: `names no handling unit (${code})` });
      return undefined;
    }
    return unit.id;
  }

  private async unitCodes(): Promise<Map<number, string>> {
    return new Map((await this.deps.units.list()).map((u) => [u.id, u.code]));
  }
}

function view(c: Category, codes: ReadonlyMap<number, string>): CategoryView {
  return { ...c, defaultUnitCode: c.defaultUnitId === null ? null : (codes.get(c.defaultUnitId) ?? null) };
}
