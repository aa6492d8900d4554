import { expect } from 'chai';
import { openDatabase, type Database } from '../../src/db/database.js';
import { SequelizeAuthThrottleStore } from '../../src/db/sequelize-auth-throttle-store.js';
import { LoginThrottle } from '../../src/identity/login-throttle.js';
import { silentLogger } from '../../src/logging/logger.js';
import { FakeClock } from '../unit/identity/in-memory-identity-repositories.js';
import { throttleScenarios } from '../unit/shared/auth-throttle-scenarios.js';
import { openTestDatabase, testDbKind, type TestDatabase } from '../support/test-database.js';

describe(`auth throttle store (${testDbKind()})`, () => {
  let test: TestDatabase;
  let second: Database;

  before(async () => {
    test = await openTestDatabase();
    // A second pool on the same database stands for a second server process.
    second = await openDatabase(test.url, silentLogger());
  });
  after(async () => {
    await second.close();
    await test.drop();
  });
  beforeEach(async () => {
    await test.db.sequelize.query('DELETE FROM auth_throttles');
  });

  describe('the throttle scenarios on this database', () => {
    // Alternating pools: the attempts of one scenario come from two processes.
    let n = 0;
    throttleScenarios(() => new SequelizeAuthThrottleStore(n++ % 2 === 0 ? test.db.sequelize : second.sequelize));
  });

  it('when two processes count failures of one account, they share the counters and the delay', async () => {
    const clock = new FakeClock();
    const a = new LoginThrottle(clock, { store: new SequelizeAuthThrottleStore(test.db.sequelize) });
    const b = new LoginThrottle(clock, { store: new SequelizeAuthThrottleStore(second.sequelize) });
    // 3 failures on one process, 2 on the other: together the 5 free ones of this account + address.
    for (let i = 0; i < 3; i++) await a.recordFailure(await a.admit('wang', '10.0.0.9'));
    for (let i = 0; i < 2; i++) await b.recordFailure(await b.admit('wang', '10.0.0.9'));
    expect((await a.admit('wang', '10.0.0.9')).waitMs, 'the 6th attempt waits').to.equal(1000);
    clock.advance(1000);
    expect((await b.admit('wang', '10.0.0.9')).waitMs).to.equal(0);
    expect((await a.admit('wang', '10.0.0.9')).waitMs, 'one slot per delay, and the delay grows').to.equal(2000);
  });

  it('when the right user logs in on one process, the other forgets that address\'s failures', async () => {
    const clock = new FakeClock();
    const a = new LoginThrottle(clock, { store: new SequelizeAuthThrottleStore(test.db.sequelize) });
    const b = new LoginThrottle(clock, { store: new SequelizeAuthThrottleStore(second.sequelize) });
    for (let i = 0; i < 4; i++) await a.recordFailure(await a.admit('li', '10.0.0.7'));
    await b.recordSuccess(await b.admit('li', '10.0.0.7'));
    expect((await a.admit('li', '10.0.0.7')).waitMs).to.equal(0);
  });

  it('when 200 wrong guesses race from two processes, only the 5 free ones get a password check', async () => {
    const clock = new FakeClock();
    const throttles = [test.db.sequelize, second.sequelize].map((s) => new LoginThrottle(clock, { store: new SequelizeAuthThrottleStore(s) }));
    const attempts = await Promise.all(Array.from({ length: 200 }, (_, i) => throttles[i % 2]!.admit('zhao', '10.0.0.5')));
    expect(attempts.filter((a) => a.waitMs === 0)).to.have.length(5);
  });
});
