import { expect } from 'chai';
import { openDatabase, type Database } from '../../src/db/database.js';
import { SequelizeAuthThrottleStore } from '../../src/db/sequelize-auth-throttle-store.js';
import { LoginThrottle } from '../../src/identity/login-throttle.js';
import { silentLogger } from '../../src/logging/logger.js';
import { FakeClock } from '../unit/identity/in-memory-identity-repositories.js';
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

  it('when two processes count failures of one account, they share the counters and the delay', async () => {
    const clock = new FakeClock();
    const a = new LoginThrottle(clock, { store: new SequelizeAuthThrottleStore(test.db.sequelize) });
    const b = new LoginThrottle(clock, { store: new SequelizeAuthThrottleStore(second.sequelize) });
    // 3 failures on one process, 2 on the other: together the 5 free ones of this account + address.
    for (let i = 0; i < 3; i++) await a.recordFailure('wang', '10.0.0.9');
    for (let i = 0; i < 2; i++) await b.recordFailure('wang', '10.0.0.9');
    expect(await a.admit('wang', '10.0.0.9'), 'the 6th attempt takes the first slot').to.equal(0);
    await a.recordFailure('wang', '10.0.0.9');
    expect(await b.admit('wang', '10.0.0.9'), 'the other process sees the delay').to.equal(1000);
    clock.advance(1000);
    expect(await b.admit('wang', '10.0.0.9')).to.equal(0);
    expect(await a.admit('wang', '10.0.0.9'), 'one slot per delay, and the delay grows').to.equal(2000);
  });

  it('when the right user logs in on one process, the other forgets that address\'s failures', async () => {
    const clock = new FakeClock();
    const a = new LoginThrottle(clock, { store: new SequelizeAuthThrottleStore(test.db.sequelize) });
    const b = new LoginThrottle(clock, { store: new SequelizeAuthThrottleStore(second.sequelize) });
    for (let i = 0; i < 6; i++) await a.recordFailure('li', '10.0.0.7');
    await b.recordSuccess('li', '10.0.0.7');
    expect(await a.admit('li', '10.0.0.7')).to.equal(0);
  });

  it('when many attempts race for one slot, exactly one of them gets it', async () => {
    const clock = new FakeClock();
    const stores = [new SequelizeAuthThrottleStore(test.db.sequelize), new SequelizeAuthThrottleStore(second.sequelize)];
    const throttles = stores.map((store) => new LoginThrottle(clock, { store }));
    for (let i = 0; i < 5; i++) await throttles[i % 2]!.recordFailure('zhao', '10.0.0.5');
    const waits = await Promise.all(Array.from({ length: 8 }, (_, i) => throttles[i % 2]!.admit('zhao', '10.0.0.5')));
    expect(waits.filter((w) => w === 0)).to.have.length(1);
  });

  it('when failures arrive at once from two processes, none is lost', async () => {
    const clock = new FakeClock();
    const stores = [new SequelizeAuthThrottleStore(test.db.sequelize), new SequelizeAuthThrottleStore(second.sequelize)];
    await Promise.all(Array.from({ length: 20 }, (_, i) => stores[i % 2]!.addFailure('http:u:sun', clock.now(), 60_000)));
    expect((await stores[0]!.read(['http:u:sun'])).get('http:u:sun')?.failures).to.equal(20);
  });
});
