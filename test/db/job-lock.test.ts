import { expect } from 'chai';
import { openDatabase, type Database } from '../../src/db/database.js';
import { createJobLock, InProcessJobLock, MysqlJobLock } from '../../src/db/job-lock.js';
import { silentLogger } from '../../src/logging/logger.js';
import { openTestDatabase, testDbKind, type TestDatabase } from '../support/test-database.js';

describe(`job lock (${testDbKind()})`, () => {
  let test: TestDatabase;
  let second: Database | undefined;

  before(async () => {
    test = await openTestDatabase({ migrate: false });
  });
  after(async () => {
    await second?.close();
    await test.drop();
  });

  it('when the database is opened, it picks the lock for its dialect', () => {
    expect(createJobLock(test.db)).to.be.instanceOf(test.db.dialect === 'mysql' ? MysqlJobLock : InProcessJobLock);
  });

  it('when one lock holds a job, a second lock (another process) cannot take it until it is released', async () => {
    // Two separate pools stand for two server processes sharing the database.
    second = test.db.dialect === 'mysql' ? await openDatabase(test.url, silentLogger()) : test.db;
    const a = createJobLock(test.db);
    const b = test.db.dialect === 'mysql' ? createJobLock(second) : a;
    const name = `test-job-${process.pid}`;
    const held = await a.tryAcquire(name);
    expect(held).to.not.equal(undefined);
    expect(await b.tryAcquire(name)).to.equal(undefined);
    expect(await a.tryAcquire(name), 'not re-entrant either').to.equal(undefined);
    const other = await b.tryAcquire(`${name}-other`);
    expect(other, 'another job name is free').to.not.equal(undefined);
    await other?.release();
    await held?.release();
    await held?.release();
    const again = await b.tryAcquire(name);
    expect(again).to.not.equal(undefined);
    await again?.release();
  });

  it('when another database on the same server holds a job of the same name, this one can still take it', async function () {
    if (test.db.dialect !== 'mysql') this.skip();
    // MariaDB's named locks are server-wide: without the database in the name, two hotlines (or two test
    // runs) on one server would block each other's supervision and survey jobs.
    const other = await openTestDatabase({ migrate: false });
    try {
      const name = `supervision-${process.pid}`;
      const mine = await createJobLock(test.db).tryAcquire(name);
      const theirs = await createJobLock(other.db).tryAcquire(name);
      expect(mine).to.not.equal(undefined);
      expect(theirs, 'the same job name in another database').to.not.equal(undefined);
      await mine?.release();
      await theirs?.release();
      const long = 'x'.repeat(80);
      const a = await createJobLock(test.db).tryAcquire(long);
      expect(a, 'a name over 64 characters with its database').to.not.equal(undefined);
      expect(await createJobLock(test.db).tryAcquire(long)).to.equal(undefined);
      await a?.release();
    } finally {
      await other.drop();
    }
  });
});
