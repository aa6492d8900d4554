import { UniqueConstraintError, type Sequelize } from 'sequelize';
import { AppError, NotFoundError, toAppError } from '../shared/app-error.js';
import { MAX_CATEGORY_LEVEL, type Category, type CategoryPatch, type CategoryRepository, type NewCategory } from '../tickets/catalog.js';
import { defineCategoryModel, type CategoryModel, type CategoryRow } from './category.model.js';

/** CategoryRepository on `categories`; returns plain objects. */
export class SequelizeCategoryRepository implements CategoryRepository {
  private readonly categories: CategoryModel;

  constructor(sequelize: Sequelize) {
    this.categories = defineCategoryModel(sequelize);
  }

  async list(): Promise<Category[]> {
    try {
      const rows = await this.categories.findAll({
        order: [
          ['level', 'ASC'],
          ['id', 'ASC'],
        ],
      });
      return rows.map(toCategory);
    } catch (err) {
      throw toAppError(err, 'DATABASE_ERROR', 'listing categories failed');
    }
  }

  async get(id: number): Promise<Category | undefined> {
    try {
      const row = await this.categories.findByPk(id);
      return row === null ? undefined : toCategory(row);
    } catch (err) {
      throw toAppError(err, 'DATABASE_ERROR', `reading category ${id} failed`);
    }
  }

  async lineage(id: number): Promise<Category[]> {
    const chain: Category[] = [];
    let next: number | null = id;
    // At most MAX_CATEGORY_LEVEL steps: a corrupt parent loop cannot spin forever.
    while (next !== null && chain.length < MAX_CATEGORY_LEVEL) {
      const category = await this.get(next);
      if (category === undefined) break;
      chain.push(category);
      next = category.parentId;
    }
    return chain;
  }

  async create(category: NewCategory): Promise<Category> {
    try {
      return toCategory(await this.categories.create({ ...category }));
    } catch (err) {
      if (err instanceof UniqueConstraintError) throw new AppError('DUPLICATE', `a category with code ${category.code} already exists`, { cause: err });
      throw toAppError(err, 'DATABASE_ERROR', `storing category ${category.code} failed`);
    }
  }

  async update(id: number, patch: CategoryPatch): Promise<Category> {
    try {
      const row = await this.categories.findByPk(id);
      if (row === null) throw new NotFoundError(`no category ${id}`);
      await row.update({ ...patch });
      return toCategory(row);
    } catch (err) {
      throw toAppError(err, 'DATABASE_ERROR', `updating category ${id} failed`);
    }
  }
}

export function toCategory(row: CategoryRow): Category {
  const r = row.get({ plain: true });
  return {
    id: r.id,
    parentId: r.parentId,
    code: r.code,
    name: r.name,
    level: r.level,
    defaultUnitId: r.defaultUnitId,
    replyDays: r.replyDays,
    replyHours: r.replyHours,
    signDays: r.signDays,
    active: r.active,
  };
}
