import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UniqueConstraintError, type Sequelize } from 'sequelize';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { AppError, ValidationError, toAppError } from '../shared/app-error.js';
import { seedCategoriesFileSchema, seedUnitsFileSchema, type NewUnitInput, type SeedCategory } from '../tickets/catalog-schemas.js';
import { MAX_CATEGORY_LEVEL } from '../tickets/catalog.js';
import { defineCategoryModel } from './category.model.js';
import { ticketTransaction } from './ticket-transaction.js';
import { defineUnitModel } from './unit.model.js';

export const UNITS_SEED_FILE = 'units.yaml';
export const CATEGORIES_SEED_FILE = 'categories.yaml';

export interface SeedResult {
  /** False when the tables already held data (nothing was read or written). */
  readonly seeded: boolean;
  readonly units: number;
  readonly categories: number;
}

interface Issue {
  path: string;
  message: string;
}

/**
 * Loads `units.yaml` and `categories.yaml` from `dir` (e.g. sql/seed) into empty `handling_units`
 * and `categories` tables, in one transaction. Does nothing when either table holds a row, so it is
 * safe at every start. A bad file is refused as a whole (ValidationError naming file, entry and field).
 */
export async function seedIfEmpty(sequelize: Sequelize, dir: string): Promise<SeedResult> {
  const unitModel = defineUnitModel(sequelize);
  const categoryModel = defineCategoryModel(sequelize);
  const notSeeded: SeedResult = { seeded: false, units: 0, categories: 0 };
  if ((await unitModel.count()) > 0 || (await categoryModel.count()) > 0) return notSeeded;

  const units = validate(await readYaml(dir, UNITS_SEED_FILE), seedUnitsFileSchema, UNITS_SEED_FILE).units;
  const categories = validate(await readYaml(dir, CATEGORIES_SEED_FILE), seedCategoriesFileSchema, CATEGORIES_SEED_FILE).categories;
  checkReferences(units, categories);

  try {
    return await ticketTransaction(sequelize, async (transaction) => {
      if ((await unitModel.count({ transaction })) > 0 || (await categoryModel.count({ transaction })) > 0) return notSeeded;
      const unitIds = new Map<string, number>();
      for (const u of units) unitIds.set(u.code, (await unitModel.create({ ...u }, { transaction })).id);
      let count = 0;
      const insert = async (list: readonly SeedCategory[], parentId: number | null, level: number): Promise<void> => {
        for (const c of list) {
          const row = await categoryModel.create(
            {
              parentId,
              code: c.code,
              name: c.name,
              level,
              defaultUnitId: c.defaultUnit === undefined || c.defaultUnit === null ? null : (unitIds.get(c.defaultUnit) ?? null),
              replyDays: c.replyDays ?? null,
              replyHours: c.replyHours ?? null,
              signDays: c.signDays ?? null,
              active: c.active,
            },
            { transaction },
          );
          count++;
          await insert(c.children ?? [], row.id, level + 1);
        }
      };
      await insert(categories, null, 1);
      return { seeded: true, units: units.length, categories: count };
    });
  } catch (err) {
    // Another process seeding at the same moment wins; this one has nothing left to do.
    if (err instanceof UniqueConstraintError && (await unitModel.count()) > 0) return notSeeded;
    throw toAppError(err, 'DATABASE_ERROR', 'seeding units and categories failed');
  }
}

async function readYaml(dir: string, file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(join(dir, file), 'utf8');
  } catch (err) {
    throw new AppError('SEED_UNREADABLE', `seed file ${join(dir, file)} cannot be read`, { cause: err });
  }
  try {
    return parseYaml(text);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new ValidationError(`seed file ${file} is not valid YAML: ${message}`, [{ path: file, message: `is not valid YAML: ${message}` }], { cause: err });
  }
}

function validate<T extends z.ZodType>(raw: unknown, schema: T, file: string): z.output<T> {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  refuse(
    file,
    parsed.error.issues.map((i) => describe(raw, i.path, i.message)),
  );
}

/** Names the entry (by its code and, for categories, its path of names) and the field of an issue. */
function describe(raw: unknown, path: readonly PropertyKey[], message: string): Issue {
  let node: unknown = raw;
  let entry: { code?: unknown; name?: unknown } | undefined;
  const names: string[] = [];
  let fieldFrom = 0;
  path.forEach((key, i) => {
    node = typeof node === 'object' && node !== null ? (node as Record<PropertyKey, unknown>)[key] : undefined;
    if (typeof key === 'number' && typeof node === 'object' && node !== null) {
      entry = node;
      names.push(typeof entry.name === 'string' ? entry.name : `#${key + 1}`);
      fieldFrom = i + 1;
    }
  });
  const field = path.slice(fieldFrom).map(String).join('.');
  const code = typeof entry?.code === 'string' ? ` (code ${entry.code})` : '';
  const where = entry === undefined ? 'file' : `entry ${names.join(' > ')}${code}`;
  return { path: path.map(String).join('.'), message: `${where}: ${field === '' ? '' : `${field} `}${message}` };
}

function refuse(file: string, issues: readonly Issue[]): never {
  throw new ValidationError(
    `seed file ${file} refused: ${issues.map((i) => i.message).join('; ')}`,
    issues.map((i) => ({ path: `${file}: ${i.path}`, message: i.message })),
  );
}

/** Unique codes, known default units, at most MAX_CATEGORY_LEVEL levels. */
function checkReferences(units: readonly NewUnitInput[], categories: readonly SeedCategory[]): void {
  const unitIssues: Issue[] = [];
  const unitCodes = new Set<string>();
  units.forEach((u, i) => {
    if (unitCodes.has(u.code)) unitIssues.push({ path: `units.${i}.code`, message: `entry ${u.name} (code ${u.code}): code is used by an earlier unit` });
    unitCodes.add(u.code);
  });
  if (unitIssues.length > 0) refuse(UNITS_SEED_FILE, unitIssues);

  const issues: Issue[] = [];
  const codes = new Set<string>();
  const walk = (list: readonly SeedCategory[], path: string, names: readonly string[], level: number): void => {
    list.forEach((c, i) => {
      const here = `${path}.${i}`;
      const entry = `entry ${[...names, c.name].join(' > ')} (code ${c.code})`;
      if (codes.has(c.code)) issues.push({ path: `${here}.code`, message: `${entry}: code is used by an earlier category` });
      codes.add(c.code);
      if (level > MAX_CATEGORY_LEVEL) issues.push({ path: here, message: `${entry}: deeper than ${MAX_CATEGORY_LEVEL} levels` });
      if (c.defaultUnit !== undefined && c.defaultUnit !== null && !unitCodes.has(c.defaultUnit)) {
        issues.push({ path: `${here}.defaultUnit`, message: `${entry}: defaultUnit names no unit of ${UNITS_SEED_FILE} ("${c.defaultUnit}")` });
      }
      walk(c.children ?? [], `${here}.children`, [...names, c.name], level + 1);
    });
  };
  walk(categories, 'categories', [], 1);
  if (issues.length > 0) refuse(CATEGORIES_SEED_FILE, issues);
}
