import { migrationList } from '../../src/db/migrations/migration-list.js';
import { expect } from 'chai';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QueryTypes } from 'sequelize';
import { openDatabase, parseDatabaseUrl } from '../../src/db/database.js';
import { silentLogger } from '../../src/logging/logger.js';
import { AppError } from '../../src/shared/app-error.js';
import { openTestDatabase, testDbKind, type TestDatabase } from '../support/test-database.js';

describe(`database (${testDbKind()})`, () => {
  let testDb: TestDatabase | undefined;

  afterEach(async () => {
    await testDb?.drop();
    testDb = undefined;
  });

  it('when migrated twice, it applies the migrations once and answers ping', async () => {
    testDb = await openTestDatabase({ migrate: false });
    expect(await testDb.db.migrate()).to.deep.equal(migrationList.map((m) => m.name));
    expect(await testDb.db.migrate()).to.deep.equal([]);
    expect(await testDb.db.ping()).to.equal(true);
    const rows = await testDb.db.sequelize.query('SELECT COUNT(*) AS n FROM calls', { type: QueryTypes.SELECT });
    expect(rows).to.have.length(1);
  });

  it('when closed, ping answers false and a second close is harmless', async () => {
    testDb = await openTestDatabase();
    await testDb.db.close();
    expect(await testDb.db.ping()).to.equal(false);
    await testDb.db.close();
  });
});

describe('openDatabase', () => {
  it('when the sqlite directory does not exist, it creates it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hotline-db-'));
    try {
      const db = await openDatabase(`sqlite:${join(dir, 'a', 'b', 'hotline.sqlite')}`, silentLogger());
      await db.migrate();
      await db.close();
      expect(existsSync(join(dir, 'a', 'b', 'hotline.sqlite'))).to.equal(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('when given sqlite::memory:, it opens a migratable in-memory database', async () => {
    const db = await openDatabase('sqlite::memory:', silentLogger());
    expect(await db.migrate()).to.deep.equal(migrationList.map((m) => m.name));
    expect(await db.ping()).to.equal(true);
    await db.close();
  });

  it('when the MySQL server is unreachable, it names host and database but not the password', async () => {
    let caught: unknown;
    try {
      await openDatabase('mysql://root:s3cret-pw@127.0.0.1:1/hotline', silentLogger());
    } catch (err) {
      caught = err;
    }
    expect(caught).to.be.instanceOf(AppError).with.property('code', 'DATABASE_UNAVAILABLE');
    const message = (caught as AppError).message;
    expect(message).to.contain('127.0.0.1:1/hotline');
    expect(message).not.to.contain('s3cret-pw');
  });

  it('when the URL is mariadb://, it uses the mysql dialect in UTC', () => {
    const target = parseDatabaseUrl('mariadb://u:p%40ss@db.example:3307/hot');
    expect(target.dialect).to.equal('mysql');
    expect(target.description).to.equal('mysql://db.example:3307/hot');
    expect(target.options).to.include({ host: 'db.example', port: 3307, database: 'hot', username: 'u', password: 'p@ss', timezone: '+00:00' });
  });

  it('when the MySQL URL names no database, it refuses it', () => {
    expect(() => parseDatabaseUrl('mysql://root@127.0.0.1:3306')).to.throw(AppError, /names no database/);
  });
});
