import { expect } from 'chai';
import sinon from 'sinon';
import { QueryTypes } from 'sequelize';
import { SequelizeSessionRepository } from '../../src/db/sequelize-session-repository.js';
import { SequelizeUserRepository } from '../../src/db/sequelize-user-repository.js';
import { DuplicateUserError, LastActiveAdminError } from '../../src/identity/identity-errors.js';
import { IdentityService } from '../../src/identity/identity-service.js';
import type { NewUserRecord } from '../../src/identity/user.js';
import { computeSipHa1 } from '../../src/identity/sip-ha1.js';
import { silentLogger } from '../../src/logging/logger.js';
import { systemClock } from '../../src/shared/clock.js';
import { openTestDatabase, testDbKind, type TestDatabase } from '../support/test-database.js';

function agent(username: string, extension: string, overrides: Partial<NewUserRecord> = {}): NewUserRecord {
  return {
    username,
    displayName: '话务员' + username,
    role: 'agent',
    passwordHash: 'scrypt$16384$8$1$c2FsdA==$aGFzaA==',
    extension,
    sipHa1: computeSipHa1(extension, 'hotline12345', 'pw'),
    sipRealm: 'hotline12345',
    skills: ['general', '供水'],
    unitId: null,
    active: true,
    mustChangePassword: false,
    createdAt: new Date('2024-05-01T08:00:00.123Z'),
    ...overrides,
  };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

describe(`SequelizeUserRepository (${testDbKind()})`, () => {
  let testDb: TestDatabase;
  let repo: SequelizeUserRepository;

  beforeEach(async () => {
    testDb = await openTestDatabase();
    repo = new SequelizeUserRepository(testDb.db.sequelize);
  });

  afterEach(async () => {
    sinon.restore();
    await testDb.drop();
  });

  it('when a user is created, it reads back with Chinese name, skills list and times, without secrets in the public view', async () => {
    const created = await repo.create(agent('li.na', '1001'));
    expect(created).to.deep.equal({
      id: created.id,
      username: 'li.na',
      displayName: '话务员li.na',
      role: 'agent',
      extension: '1001',
      skills: ['general', '供水'],
      unitId: null,
      active: true,
      mustChangePassword: false,
      createdAt: new Date('2024-05-01T08:00:00.123Z'),
      updatedAt: new Date('2024-05-01T08:00:00.123Z'),
    });
    const stored = await repo.findByUsername('li.na');
    expect(stored).to.include({ id: created.id, passwordHash: 'scrypt$16384$8$1$c2FsdA==$aGFzaA==', sipRealm: 'hotline12345' });
    expect(await repo.findById(created.id)).to.deep.equal(stored);
  });

  it('when usernames differ only in case, they are different users on both databases', async () => {
    await repo.create(agent('Admin', '1001'));
    expect(await repo.findByUsername('admin')).to.equal(undefined);
    await repo.create(agent('admin', '1002'));
    expect((await repo.list()).map((u) => u.username)).to.deep.equal(['Admin', 'admin']);
  });

  it('when the username is taken, it refuses with DUPLICATE naming username', async () => {
    await repo.create(agent('zhang', '1001'));
    const err = await rejection(repo.create(agent('zhang', '1002')));
    expect(err).to.be.instanceOf(DuplicateUserError).and.include({ code: 'DUPLICATE', field: 'username' });
  });

  it('when the extension is taken, it refuses with DUPLICATE naming extension', async () => {
    await repo.create(agent('zhang', '1001'));
    const err = await rejection(repo.create(agent('wang', '1001')));
    expect(err).to.be.instanceOf(DuplicateUserError).and.include({ code: 'DUPLICATE', field: 'extension' });
  });

  it('when two requests race past the check, the unique index still refuses naming the field', async () => {
    await repo.create(agent('zhang', '1001'));
    sinon.stub(repo as unknown as { refuseTaken: () => Promise<void> }, 'refuseTaken').resolves();
    expect(await rejection(repo.create(agent('zhang', '1002')))).to.include({ code: 'DUPLICATE', field: 'username' });
    expect(await rejection(repo.create(agent('wang', '1001')))).to.include({ code: 'DUPLICATE', field: 'extension' });
  });

  it('when several users have no extension, the unique index allows them', async () => {
    const none = { extension: null, sipHa1: null, sipRealm: null, skills: [] };
    await repo.create(agent('boss1', '0', { ...none, role: 'supervisor' }));
    await repo.create(agent('unit1', '0', { ...none, role: 'unit', unitId: 7 }));
    expect((await repo.list({ roles: ['unit'] })).map((u) => [u.username, u.unitId])).to.deep.equal([['unit1', 7]]);
  });

  it('when the registrar asks for an HA1, it gets the agent’s only in the realm it was computed with', async () => {
    await repo.create(agent('li.na', '1001'));
    expect(await repo.findHa1('1001', 'hotline12345')).to.equal(computeSipHa1('1001', 'hotline12345', 'pw'));
    expect(await repo.findHa1('1001', 'other-realm')).to.equal(undefined);
    expect(await repo.findHa1('1002', 'hotline12345')).to.equal(undefined);
    expect(await repo.findHa1('li.na', 'hotline12345')).to.equal(undefined);
  });

  it('when the agent is inactive, the registrar gets no HA1', async () => {
    await repo.create(agent('li.na', '1001', { active: false }));
    expect(await repo.findHa1('1001', 'hotline12345')).to.equal(undefined);
  });

  it('when the skills column holds something else, reading refuses with DATA_CORRUPT', async () => {
    const { id } = await repo.create(agent('li.na', '1001'));
    await testDb.db.sequelize.query("UPDATE users SET skills = '{\"a\":1}' WHERE id = ?", { replacements: [id], type: QueryTypes.UPDATE });
    expect(await rejection(repo.findById(id))).to.include({ code: 'DATA_CORRUPT' });
  });

  it('when the identity service runs on it, login, token verification and logout work end to end', async () => {
    const service = new IdentityService({
      users: repo,
      sessions: new SequelizeSessionRepository(testDb.db.sequelize),
      clock: systemClock,
      sipRealm: 'hotline12345',
      tokenTtlMs: 3_600_000,
      logger: silentLogger(),
    });
    expect(await service.ensureAdmin('admin', 'admin-pass-1')).to.equal(true);
    expect(await service.ensureAdmin('admin', 'admin-pass-1')).to.equal(false);
    const { token } = await service.login('admin', 'admin-pass-1');
    expect(await service.verifyToken(token)).to.include({ username: 'admin', role: 'admin' });
    const rows = await testDb.db.sequelize.query<{ token_hash: string }>('SELECT token_hash FROM sessions', { type: QueryTypes.SELECT });
    expect(rows).to.have.length(1);
    expect(rows[0]?.token_hash).to.match(/^[0-9a-f]{64}$/).and.not.equal(token);
    await service.revokeToken(token);
    expect(await service.verifyToken(token)).to.equal(undefined);
  });

  it('when sessions expired, deleteExpired removes only those', async () => {
    const sessions = new SequelizeSessionRepository(testDb.db.sequelize);
    const { id } = await repo.create(agent('li.na', '1001'));
    const createdAt = new Date('2024-05-01T08:00:00.000Z');
    await sessions.create({ tokenHash: 'a'.repeat(64), userId: id, expiresAt: new Date('2024-05-01T09:00:00.000Z'), createdAt, clientAddress: null, userAgent: null });
    await sessions.create({ tokenHash: 'b'.repeat(64), userId: id, expiresAt: new Date('2024-05-01T11:00:00.000Z'), createdAt, clientAddress: '10.0.0.7', userAgent: 'Mozilla/5.0 (Windows NT 10.0) 360SE' });
    expect(await sessions.deleteExpired(new Date('2024-05-01T10:00:00.000Z'))).to.equal(1);
    expect(await sessions.findByTokenHash('a'.repeat(64))).to.equal(undefined);
    expect(await sessions.findByTokenHash('b'.repeat(64))).to.deep.equal({
      tokenHash: 'b'.repeat(64),
      userId: id,
      expiresAt: new Date('2024-05-01T11:00:00.000Z'),
      createdAt,
      clientAddress: '10.0.0.7',
      userAgent: 'Mozilla/5.0 (Windows NT 10.0) 360SE',
    });
  });

  it('when a user has sessions, listByUser answers only its own, newest first, with where each signed in from', async () => {
    const sessions = new SequelizeSessionRepository(testDb.db.sequelize);
    const a = await repo.create(agent('li.na', '1001'));
    const b = await repo.create(agent('wang', '1002'));
    const expiresAt = new Date('2024-05-01T20:00:00.000Z');
    await sessions.create({ tokenHash: 'a'.repeat(64), userId: a.id, expiresAt, createdAt: new Date('2024-05-01T08:00:00.000Z'), clientAddress: '10.0.0.7', userAgent: '话务员的浏览器' });
    await sessions.create({ tokenHash: 'b'.repeat(64), userId: a.id, expiresAt, createdAt: new Date('2024-05-01T09:00:00.000Z'), clientAddress: null, userAgent: null });
    await sessions.create({ tokenHash: 'c'.repeat(64), userId: b.id, expiresAt, createdAt: new Date('2024-05-01T10:00:00.000Z'), clientAddress: null, userAgent: null });
    const list = await sessions.listByUser(a.id);
    expect(list.map((s) => s.tokenHash)).to.deep.equal(['b'.repeat(64), 'a'.repeat(64)]);
    expect(list[1]).to.include({ clientAddress: '10.0.0.7', userAgent: '话务员的浏览器' });
    expect(await sessions.listByUser(999)).to.deep.equal([]);
  });

  it('when an admin sets must-change-password, it reads back set, and clearing it reads back cleared', async () => {
    const created = await repo.create(agent('li.na', '1001', { mustChangePassword: true }));
    expect(created.mustChangePassword).to.equal(true);
    expect((await repo.findByUsername('li.na'))?.mustChangePassword).to.equal(true);
    const at = new Date('2024-05-02T09:30:00.000Z');
    expect(await repo.update(created.id, { mustChangePassword: false, updatedAt: at })).to.include({ mustChangePassword: false });
    expect((await repo.findById(created.id))?.mustChangePassword).to.equal(false);
    expect((await repo.list())[0]?.mustChangePassword).to.equal(false);
  });
  it('when a user is updated, the given fields change (Chinese name, skills, secrets), the others stay', async () => {
    const created = await repo.create(agent('li.na', '1001'));
    const at = new Date('2024-05-02T09:30:00.456Z');
    const updated = await repo.update(created.id, { displayName: '李娜', skills: ['回访', 'general'], active: false, sipHa1: 'f'.repeat(32), updatedAt: at });
    expect(updated).to.deep.include({ displayName: '李娜', skills: ['回访', 'general'], active: false, extension: '1001', updatedAt: at, createdAt: created.createdAt });
    const stored = await repo.findById(created.id);
    expect(stored).to.include({ sipHa1: 'f'.repeat(32), sipRealm: 'hotline12345', passwordHash: 'scrypt$16384$8$1$c2FsdA==$aGFzaA==' });
    // The same values again (MySQL reports no changed row): still answered.
    expect(await repo.update(created.id, { active: false, updatedAt: at })).to.include({ active: false });
    expect(await rejection(repo.update(created.id + 100, { active: true, updatedAt: at }))).to.include({ code: 'NOT_FOUND' });
  });

  it('when two admins are disabled at once with keepAnActiveAdmin, exactly one stays active; without it (or for others) nothing is refused', async () => {
    const admin = (username: string) => agent(username, '0', { role: 'admin', extension: null, sipHa1: null, sipRealm: null, skills: [] });
    const a = await repo.create(admin('root'));
    const b = await repo.create(admin('root2'));
    const at = new Date('2024-05-02T09:30:00.000Z');
    const results = await Promise.allSettled([
      repo.update(a.id, { active: false, updatedAt: at }, { keepAnActiveAdmin: true }),
      repo.update(b.id, { active: false, updatedAt: at }, { keepAnActiveAdmin: true }),
    ]);
    expect(results.map((r) => r.status).sort()).to.deep.equal(['fulfilled', 'rejected']);
    const refused = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(refused?.reason).to.be.instanceOf(LastActiveAdminError);
    const active = (await repo.list({ roles: ['admin'] })).filter((u) => u.active);
    expect(active).to.have.length(1);
    // The last one cannot go either; an agent can, and so can an admin without the guard.
    const last = active[0]?.id ?? 0;
    expect(await rejection(repo.update(last, { active: false, updatedAt: at }, { keepAnActiveAdmin: true }))).to.be.instanceOf(LastActiveAdminError);
    const li = await repo.create(agent('li.na', '1001'));
    expect(await repo.update(li.id, { active: false, updatedAt: at }, { keepAnActiveAdmin: true })).to.include({ active: false });
    expect(await repo.update(last, { displayName: '管理员', updatedAt: at }, { keepAnActiveAdmin: true })).to.include({ active: true, displayName: '管理员' });
  });

  it('when the sessions of a user are deleted, the others and the kept one stay, in one DELETE statement, and the count is returned', async () => {
    const sessions = new SequelizeSessionRepository(testDb.db.sequelize);
    const a = await repo.create(agent('li.na', '1001'));
    const b = await repo.create(agent('wang', '1002'));
    const createdAt = new Date('2024-05-01T08:00:00.000Z');
    const expiresAt = new Date('2024-05-01T20:00:00.000Z');
    for (const [hash, userId] of [['a', a.id], ['b', a.id], ['c', a.id], ['d', b.id]] as const) {
      await sessions.create({ tokenHash: hash.repeat(64), userId, expiresAt, createdAt, clientAddress: null, userAgent: null });
    }
    const query = sinon.spy(testDb.db.sequelize, 'query');
    expect(await sessions.deleteByUser(a.id, 'b'.repeat(64))).to.equal(2);
    // A SELECT of the hashes then a DELETE by hash would let a session inserted in between survive.
    const verbs = query.args.map(([sql]) => (typeof sql === 'string' ? sql : sql.query).trim().split(/\s+/)[0]?.toUpperCase());
    expect(verbs).to.deep.equal(['DELETE']);
    query.restore();
    expect(await sessions.findByTokenHash('a'.repeat(64))).to.equal(undefined);
    expect(await sessions.findByTokenHash('b'.repeat(64))).to.include({ userId: a.id });
    expect(await sessions.findByTokenHash('d'.repeat(64))).to.include({ userId: b.id });
    expect(await sessions.deleteByUser(a.id)).to.equal(1);
    expect(await sessions.deleteByUser(a.id)).to.equal(0);
  });
});
