import { expect } from 'chai';
import { PHONE_FIELD_MESSAGE } from '../../src/tickets/field-schemas.js';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { QueryTypes, type Sequelize } from 'sequelize';
import { SequelizeCategoryRepository } from '../../src/db/category-repository.js';
import { seedIfEmpty } from '../../src/db/seed-loader.js';
import { SequelizeUnitRepository } from '../../src/db/unit-repository.js';
import { ValidationError } from '../../src/shared/app-error.js';
import { openTestDatabase, testDbKind, type TestDatabase } from '../support/test-database.js';

const SEED_DIR = fileURLToPath(new URL('../../sql/seed/', import.meta.url));

/** A database with every migration of migration-list.ts applied. */
function openTicketDatabase(): Promise<TestDatabase> {
  return openTestDatabase();
}

async function count(sequelize: Sequelize, table: string): Promise<number> {
  const rows = await sequelize.query<{ n: number | string }>(`SELECT COUNT(*) AS n FROM ${table}`, { type: QueryTypes.SELECT });
  return Number(rows[0]?.n);
}

async function refusal(promise: Promise<unknown>): Promise<ValidationError> {
  try {
    await promise;
  } catch (err) {
    expect(err).to.be.instanceOf(ValidationError);
    return err as ValidationError;
  }
  throw new Error('expected a refusal');
}

describe(`seedIfEmpty on ${testDbKind()}`, () => {
  let testDb: TestDatabase;
  let sequelize: Sequelize;
  let dir: string;

  beforeEach(async () => {
    testDb = await openTicketDatabase();
    sequelize = testDb.db.sequelize;
    dir = mkdtempSync(join(tmpdir(), 'hotline-seed-'));
    cpSync(SEED_DIR, dir, { recursive: true });
  });

  afterEach(async () => {
    rmSync(dir, { recursive: true, force: true });
    await testDb.drop();
  });

  it('when the tables are empty, it loads the shipped units and category tree', async () => {
    const result = await seedIfEmpty(sequelize, SEED_DIR);
    expect(result.seeded).to.equal(true);
    expect(result.units).to.be.at.least(8);
    const units = await new SequelizeUnitRepository(sequelize).list();
    const categories = await new SequelizeCategoryRepository(sequelize).list();
    expect(categories).to.have.length(result.categories);
    const leaves = categories.filter((c) => !categories.some((child) => child.parentId === c.id));
    expect(leaves.length).to.be.at.least(25);
    const cold = categories.find((c) => c.name === '室温不达标');
    const heating = categories.find((c) => c.id === cold?.parentId);
    expect(cold).to.include({ level: 3, replyDays: 1 });
    expect(units.find((u) => u.id === heating?.defaultUnitId)).to.include({ code: 'GNB', name: '区供暖办公室', kind: 'bureau' });
    expect(units.find((u) => u.code === 'JD-CYM')).to.include({ name: '朝阳门街道办事处', kind: 'street', liaisonSipUri: 'sip:8101@10.20.1.11' });
  });

  it('when seeded twice, the second time does nothing', async () => {
    await seedIfEmpty(sequelize, SEED_DIR);
    const units = await count(sequelize, 'handling_units');
    expect(await seedIfEmpty(sequelize, SEED_DIR)).to.deep.equal({ seeded: false, units: 0, categories: 0 });
    expect(await count(sequelize, 'handling_units')).to.equal(units);
  });

  it('when a category names an unknown unit, it refuses the file naming the entry and stores nothing', async () => {
    writeFileSync(
      join(dir, 'categories.yaml'),
      'categories:\n  - code: "05"\n    name: 供暖\n    children:\n      - { code: "0501", name: 室温不达标, defaultUnit: NOPE }\n',
    );
    const err = await refusal(seedIfEmpty(sequelize, dir));
    expect(err.message).to.contain('categories.yaml');
    expect(err.issues).to.deep.equal([
      { path: 'categories.yaml: categories.0.children.0.defaultUnit', message: 'entry 供暖 > 室温不达标 (code 0501): defaultUnit names no unit of units.yaml ("NOPE")' },
    ]);
    expect(await count(sequelize, 'handling_units')).to.equal(0);
    expect(await count(sequelize, 'categories')).to.equal(0);
  });

  it('when entries have bad fields, it names the file, each entry and each field', async () => {
    writeFileSync(
      join(dir, 'units.yaml'),
      'units:\n  - { code: SWJ, name: 区水务局, kind: bureau, liaisonName: 李强, liaisonPhone: "010-6", liaisonSipUri: "sip:8102@water.example" }\n  - { code: GNB, name: 区供暖办, kind: 街道 }\n',
    );
    const err = await refusal(seedIfEmpty(sequelize, dir));
    expect(err.issues).to.deep.equal([
      { path: 'units.yaml: units.0.liaisonPhone', message: `entry 区水务局 (code SWJ): liaisonPhone ${PHONE_FIELD_MESSAGE}` },
      { path: 'units.yaml: units.0.liaisonSipUri', message: 'entry 区水务局 (code SWJ): liaisonSipUri must be a SIP URI with an IP address, such as sip:8001@192.168.10.21:5060' },
      { path: 'units.yaml: units.1.liaisonName', message: 'entry 区供暖办 (code GNB): liaisonName is required' },
      { path: 'units.yaml: units.1.liaisonPhone', message: 'entry 区供暖办 (code GNB): liaisonPhone is required' },
    ]);
    expect(await count(sequelize, 'handling_units')).to.equal(0);
  });

  it('when a file is not YAML or a code repeats, it refuses it', async () => {
    writeFileSync(join(dir, 'units.yaml'), 'units: [\n');
    expect((await refusal(seedIfEmpty(sequelize, dir))).message).to.match(/^seed file units\.yaml is not valid YAML/);
    cpSync(join(SEED_DIR, 'units.yaml'), join(dir, 'units.yaml'));
    writeFileSync(join(dir, 'categories.yaml'), 'categories:\n  - { code: "01", name: 城乡建设, defaultUnit: ZJW }\n  - { code: "01", name: 环境保护, defaultUnit: HBJ }\n');
    const err = await refusal(seedIfEmpty(sequelize, dir));
    expect(err.issues).to.deep.equal([{ path: 'categories.yaml: categories.1.code', message: 'entry 环境保护 (code 01): code is used by an earlier category' }]);
  });
});
