import { expect } from 'chai';
import { migrationList } from '../../src/db/migrations/migration-list.js';
import { SequelizeSessionRepository } from '../../src/db/sequelize-session-repository.js';
import { SequelizeUserRepository } from '../../src/db/sequelize-user-repository.js';
import { openTestDatabase, testDbKind, type TestDatabase } from '../support/test-database.js';

describe(`migration 0017-password-change on a database with users and sessions (${testDbKind()})`, () => {
  let testDb: TestDatabase;

  beforeEach(async () => {
    testDb = await openTestDatabase({ migrate: false });
  });

  afterEach(async () => {
    await testDb.drop();
  });

  it('when users and sessions exist from before, they keep working: no forced change, no known origin', async () => {
    const qi = testDb.db.sequelize.getQueryInterface();
    const at = migrationList.findIndex((m) => m.name === '0017-password-change');
    expect(at, 'listed').to.be.greaterThan(0);
    for (const m of migrationList.slice(0, at)) await m.up({ name: m.name, context: qi });
    const now = new Date('2026-11-30T08:00:00.000Z');
    await qi.bulkInsert('users', [
      { username: 'li.na', display_name: '李娜', role: 'agent', password_hash: 'scrypt$1$1$1$c2FsdA==$aGFzaA==', extension: '1001', skills: '[]', active: true, created_at: now, updated_at: now },
    ]);
    const [user] = (await qi.select(null, 'users', {})) as { id: number }[];
    await qi.bulkInsert('sessions', [{ token_hash: 'a'.repeat(64), user_id: user?.id, expires_at: new Date('2026-11-30T20:00:00.000Z'), created_at: now }]);

    const m0017 = migrationList[at];
    await m0017?.up({ name: m0017.name, context: qi });

    const users = new SequelizeUserRepository(testDb.db.sequelize);
    expect(await users.findByUsername('li.na')).to.include({ mustChangePassword: false, active: true });
    const sessions = new SequelizeSessionRepository(testDb.db.sequelize);
    expect(await sessions.findByTokenHash('a'.repeat(64))).to.include({ clientAddress: null, userAgent: null });

    // And back down (forward-only in production, but the down must not leave the tables broken).
    await m0017?.down?.({ name: m0017.name, context: qi });
    const columns = Object.keys(await qi.describeTable('users'));
    expect(columns).not.to.include('must_change_password');
    expect(Object.keys(await qi.describeTable('sessions'))).not.to.include.members(['client_address', 'user_agent']);
    expect((await qi.select(null, 'sessions', {})).length, 'the session row survived the down').to.equal(1);
    expect((await qi.select(null, 'users', {})).length).to.equal(1);
  });
});
