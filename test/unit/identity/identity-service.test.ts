import { expect } from 'chai';
import sinon from 'sinon';
import { AppError, InvalidStateError, NotFoundError, ValidationError } from '../../../src/shared/app-error.js';
import { DuplicateUserError, LoginFailedError, LoginLockedError } from '../../../src/identity/identity-errors.js';
import { IdentityService, hashToken, type SessionEndedEvent, type UserSessionsEndedEvent } from '../../../src/identity/identity-service.js';
import { computeSipHa1 } from '../../../src/identity/sip-ha1.js';
import { silentLogger } from '../../../src/logging/logger.js';
import { FakeClock, InMemorySessionRepository, InMemoryUserRepository } from './in-memory-identity-repositories.js';

const HOUR = 3_600_000;

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

describe('IdentityService', () => {
  let users: InMemoryUserRepository;
  let sessions: InMemorySessionRepository;
  let clock: FakeClock;
  let service: IdentityService;
  let logger: ReturnType<typeof silentLogger>;
  /** Handling units that exist, for unit users' unitId. */
  let units: Set<number>;

  beforeEach(() => {
    users = new InMemoryUserRepository();
    sessions = new InMemorySessionRepository();
    clock = new FakeClock();
    logger = silentLogger();
    units = new Set([3, 4]);
    service = new IdentityService({ users, sessions, clock, sipRealm: 'hotline12345', tokenTtlMs: 12 * HOUR, logger, unitExists: (id) => Promise.resolve(units.has(id)) });
  });

  afterEach(() => {
    sinon.restore();
  });

  describe('createUser', () => {
    it('when an agent is created, it stores a scrypt hash and the HA1 of extension:realm:password, never the password', async () => {
      const user = await service.createUser({ username: 'li.na', password: 'pass-1234', role: 'agent', displayName: '李娜', extension: '1001', skills: ['water', 'water', 'general'] });
      expect(user).to.include({ username: 'li.na', displayName: '李娜', role: 'agent', extension: '1001', unitId: null, active: true });
      expect(user.skills).to.deep.equal(['water', 'general']);
      expect(user.createdAt.getTime()).to.equal(clock.now());
      const stored = users.rows[0];
      expect(stored?.passwordHash).to.match(/^scrypt\$16384\$8\$1\$/);
      expect(stored?.sipHa1).to.equal(computeSipHa1('1001', 'hotline12345', 'pass-1234'));
      expect(stored?.sipRealm).to.equal('hotline12345');
      expect(JSON.stringify(stored)).not.to.contain('pass-1234');
    });

    it('when a sipPassword is given, the HA1 uses it instead of the login password', async () => {
      await service.createUser({ username: 'agent2', password: 'pass-1234', role: 'agent', extension: '1002', sipPassword: 'sip-secret-9' });
      expect(users.rows[0]?.sipHa1).to.equal(computeSipHa1('1002', 'hotline12345', 'sip-secret-9'));
    });

    it('when fields are wrong, it refuses naming each field', async () => {
      const err = await rejection(service.createUser({ username: 'x!', password: 'short', role: 'agent', extension: '12' }));
      expect(err).to.be.instanceOf(ValidationError);
      const paths = (err as ValidationError).issues.map((i) => i.path);
      expect(paths).to.include.members(['username', 'password', 'extension']);
    });

    it('when an agent has no extension or a supervisor has one, it refuses naming the field', async () => {
      const a = await rejection(service.createUser({ username: 'agent3', password: 'pass-1234', role: 'agent' }));
      expect((a as ValidationError).issues).to.deep.include({ path: 'extension', message: 'is required for an agent' });
      const s = await rejection(service.createUser({ username: 'boss', password: 'pass-1234', role: 'supervisor', extension: '1003' }));
      expect((s as ValidationError).issues).to.deep.include({ path: 'extension', message: 'is only for agents' });
    });

    it('when the username is taken, it refuses with DUPLICATE naming username', async () => {
      await service.createUser({ username: 'zhang', password: 'pass-1234', role: 'supervisor' });
      const err = await rejection(service.createUser({ username: 'zhang', password: 'pass-1234', role: 'admin' }));
      expect(err).to.be.instanceOf(DuplicateUserError);
      expect(err).to.include({ code: 'DUPLICATE', field: 'username' });
    });
  });

  describe('authenticate', () => {
    beforeEach(async () => {
      await service.createUser({ username: 'wang', password: 'right-pass', role: 'supervisor', displayName: '王五' });
    });

    it('when the password is right, it returns the user without secrets', async () => {
      const user = await service.authenticate('wang', 'right-pass');
      expect(user).to.include({ username: 'wang', role: 'supervisor', displayName: '王五' });
      expect(user).not.to.have.property('passwordHash');
    });

    it('when the password is wrong or the user unknown, it fails alike with LOGIN_FAILED', async () => {
      const wrong = await rejection(service.authenticate('wang', 'wrong-pass'));
      const unknown = await rejection(service.authenticate('nobody', 'right-pass'));
      expect(wrong).to.be.instanceOf(AppError).and.include({ code: 'LOGIN_FAILED' });
      expect(unknown).to.be.instanceOf(AppError).and.include({ code: 'LOGIN_FAILED' });
      expect((wrong as Error).message).to.equal((unknown as Error).message);
    });

    it('when the user is inactive, the right password fails with LOGIN_FAILED', async () => {
      users.setActive(1, false);
      expect(await rejection(service.authenticate('wang', 'right-pass'))).to.include({ code: 'LOGIN_FAILED' });
    });

    it('when 5 logins fail from one address, further tries from it wait 1 s, then 2 s, … but the name is never locked', async () => {
      for (let i = 0; i < 5; i++) {
        expect(await rejection(service.authenticate('wang', 'wrong-pass', '10.0.0.9'))).to.include({ code: 'LOGIN_FAILED' });
      }
      // The 6th try waits 1 s, the one after it 2 s.
      const locked = await rejection(service.authenticate('wang', 'right-pass', '10.0.0.9'));
      expect(locked).to.be.instanceOf(LoginLockedError).and.include({ code: 'LOGIN_LOCKED' });
      expect((locked as LoginLockedError).retryAfterMs).to.equal(1000);
      clock.advance(1000);
      expect(await rejection(service.authenticate('wang', 'wrong-pass', '10.0.0.9'))).to.include({ code: 'LOGIN_FAILED' });
      expect(((await rejection(service.authenticate('wang', 'right-pass', '10.0.0.9'))) as LoginLockedError).retryAfterMs).to.equal(2000);
      clock.advance(2000);
      expect(await service.authenticate('wang', 'right-pass', '10.0.0.9')).to.include({ username: 'wang' });
    });

    it('when 200 wrong passwords arrive at once from one address, only the 5 free ones are checked', async () => {
      const errors = await Promise.all(Array.from({ length: 200 }, (_, i) => rejection(service.authenticate('wang', `guess-${i}`, '10.0.0.9'))));
      expect(errors.filter((e) => e instanceof LoginFailedError)).to.have.length(5);
      expect(errors.filter((e) => e instanceof LoginLockedError)).to.have.length(195);
    });

    it('when someone guesses from one address, the owner logs in at once from another', async () => {
      for (let i = 0; i < 9; i++) await rejection(service.authenticate('wang', 'wrong-pass', '10.6.6.6'));
      expect(await service.authenticate('wang', 'right-pass', '10.0.0.9')).to.include({ username: 'wang' });
    });

    it('when guesses come from 40 addresses against one account, they are slowed to about one a minute while the owner logs in from their usual address', async () => {
      await service.authenticate('wang', 'right-pass', '10.0.0.9');
      let tried = 0;
      let refused = 0;
      // Ten minutes of guessing: every address tries every second.
      for (let second = 0; second < 600; second++) {
        for (let a = 0; a < 40; a++) {
          const err = await rejection(service.authenticate('wang', `guess-${second}-${a}`, `10.1.0.${a}`));
          if (err instanceof LoginLockedError) refused++;
          else tried++;
        }
        clock.advance(1000);
      }
      // 10 free, then 1+2+4+8+16+32 s, then one a minute: at most ~25 passwords checked, 24,000 asked.
      expect(tried).to.be.at.most(25);
      expect(refused).to.equal(40 * 600 - tried);
      expect(await service.authenticate('wang', 'right-pass', '10.0.0.9')).to.include({ username: 'wang' });
    }).timeout(60_000);

    it('when failures are spread over more than 15 minutes, they are not slowed', async () => {
      for (let i = 0; i < 8; i++) {
        await rejection(service.authenticate('wang', 'wrong-pass'));
        clock.advance(5 * 60_000);
      }
      expect(await service.authenticate('wang', 'right-pass')).to.include({ username: 'wang' });
    });

    it('when one username is locked, another logs in', async () => {
      await service.createUser({ username: 'zhao', password: 'zhao-pass', role: 'supervisor' });
      for (let i = 0; i < 5; i++) await rejection(service.authenticate('wang', 'wrong-pass'));
      expect(await service.authenticate('zhao', 'zhao-pass')).to.include({ username: 'zhao' });
    });

    it('when a login succeeds, earlier failures are forgotten', async () => {
      for (let i = 0; i < 4; i++) await rejection(service.authenticate('wang', 'wrong-pass'));
      await service.authenticate('wang', 'right-pass');
      for (let i = 0; i < 4; i++) await rejection(service.authenticate('wang', 'wrong-pass'));
      expect(await service.authenticate('wang', 'right-pass')).to.include({ username: 'wang' });
    });
  });

  describe('tokens', () => {
    let userId: number;

    beforeEach(async () => {
      userId = (await service.createUser({ username: 'agent7', password: 'agent-pass', role: 'agent', extension: '1007' })).id;
    });

    it('when a token is issued, it is 32 random bytes base64url and only its SHA-256 is stored', async () => {
      const { token, expiresAt } = await service.issueToken({ id: userId });
      expect(token).to.match(/^[A-Za-z0-9_-]{43}$/);
      expect(Buffer.from(token, 'base64url')).to.have.length(32);
      expect(expiresAt.getTime()).to.equal(clock.now() + 12 * HOUR);
      expect([...sessions.rows.keys()]).to.deep.equal([hashToken(token)]);
      expect(JSON.stringify([...sessions.rows.values()])).not.to.contain(token);
    });

    it('when a valid token is verified, it returns its user', async () => {
      const { token } = await service.login('agent7', 'agent-pass');
      expect(await service.verifyToken(token)).to.include({ id: userId, username: 'agent7', extension: '1007' });
    });

    it('when the token has expired, it is refused and its session removed', async () => {
      const { token } = await service.issueToken({ id: userId });
      clock.advance(12 * HOUR - 1);
      expect(await service.verifyToken(token)).to.include({ id: userId });
      clock.advance(1);
      expect(await service.verifyToken(token)).to.equal(undefined);
      expect(sessions.rows.size).to.equal(0);
    });

    it('when the token is unknown, malformed or its user inactive, it is refused', async () => {
      const { token } = await service.issueToken({ id: userId });
      expect(await service.verifyToken('A'.repeat(43))).to.equal(undefined);
      expect(await service.verifyToken('not a token')).to.equal(undefined);
      users.setActive(userId, false);
      expect(await service.verifyToken(token)).to.equal(undefined);
    });

    it('when a token is revoked, it is refused afterwards', async () => {
      const { token } = await service.issueToken({ id: userId });
      await service.revokeToken(token);
      expect(await service.verifyToken(token)).to.equal(undefined);
    });

    it('when expired sessions are purged, only live ones stay', async () => {
      await service.issueToken({ id: userId });
      clock.advance(HOUR);
      const { token } = await service.issueToken({ id: userId });
      clock.advance(12 * HOUR - HOUR);
      expect(await service.purgeExpiredSessions()).to.equal(1);
      expect([...sessions.rows.keys()]).to.deep.equal([hashToken(token)]);
    });
  });

  describe('admin changes (updateUser, setPassword, setSipPassword)', () => {
    let adminId: number;
    let agentId: number;
    let unitUserId: number;
    let ended: SessionEndedEvent[];
    let userEnded: UserSessionsEndedEvent[];

    beforeEach(async () => {
      adminId = (await service.createUser({ username: 'root', password: 'admin-pass', role: 'admin' })).id;
      agentId = (await service.createUser({ username: 'li.na', password: 'agent-pass', role: 'agent', extension: '1001', skills: ['general'], sipPassword: 'sip-pass-1' })).id;
      unitUserId = (await service.createUser({ username: 'hedong', password: 'unit-pass-1', role: 'unit', unitId: 3 })).id;
      ended = [];
      userEnded = [];
      service.observer.on('session-ended', (e) => ended.push(e));
      service.observer.on('user-sessions-ended', (e) => userEnded.push(e));
    });

    it('when an admin changes display name and skills of an agent, they are stored and the time moves on', async () => {
      clock.advance(60_000);
      const updated: unknown[] = [];
      service.observer.on('user-updated', (u) => updated.push(u));
      const user = await service.updateUser(agentId, { displayName: ' 李娜 ', skills: ['water', 'water', 'callback'] }, { id: adminId });
      expect(updated, 'the user-updated event the composition hands to the ACD').to.deep.equal([user]);
      expect(user).to.include({ displayName: '李娜', extension: '1001', active: true });
      expect(user.skills).to.deep.equal(['water', 'callback']);
      expect(user.updatedAt.getTime()).to.equal(clock.now());
      expect(user.createdAt.getTime()).to.equal(clock.now() - 60_000);
    });

    it('when skills are given for a unit user or a unit for an agent, it refuses naming the field', async () => {
      const a = await rejection(service.updateUser(unitUserId, { skills: ['x'] }, { id: adminId }));
      expect((a as ValidationError).issues).to.deep.equal([{ path: 'skills', message: 'is only for agents' }]);
      const b = await rejection(service.updateUser(agentId, { unitId: 4 }, { id: adminId }));
      expect((b as ValidationError).issues).to.deep.equal([{ path: 'unitId', message: 'is only for unit users' }]);
      expect((await service.updateUser(unitUserId, { unitId: 4 }, { id: adminId })).unitId).to.equal(4);
    });

    it('when the patch is empty, has an unknown field or bad values, it refuses naming each', async () => {
      const empty = await rejection(service.updateUser(agentId, {}, { id: adminId }));
      expect((empty as ValidationError).issues).to.deep.equal([{ path: 'user', message: 'names no field to change' }]);
      const unknown = await rejection(service.updateUser(agentId, { extension: '1002' } as never, { id: adminId }));
      expect((unknown as ValidationError).issues[0]?.message).to.match(/^unknown field extension/);
      const bad = await rejection(service.updateUser(agentId, { displayName: '', active: 'no' } as never, { id: adminId }));
      expect((bad as ValidationError).issues.map((i) => i.path)).to.deep.equal(['displayName', 'active']);
    });

    it('when the user does not exist, it refuses with NOT_FOUND', async () => {
      expect(await rejection(service.updateUser(99, { displayName: 'x' }, { id: adminId }))).to.be.instanceOf(NotFoundError);
      expect(await rejection(service.setPassword(99, 'new-pass-123', { id: adminId }))).to.be.instanceOf(NotFoundError);
      expect(await rejection(service.setSipPassword(99, 'new-pass-123', { id: adminId }))).to.be.instanceOf(NotFoundError);
    });

    it('when an admin disables a user, its sessions end (one event for the user), it cannot log in, and enabling lets it in again', async () => {
      const first = await service.login('li.na', 'agent-pass');
      const second = await service.login('li.na', 'agent-pass');
      const other = await service.login('hedong', 'unit-pass-1');
      await service.updateUser(agentId, { active: false }, { id: adminId });
      expect(await service.verifyToken(first.token)).to.equal(undefined);
      expect(await service.verifyToken(second.token)).to.equal(undefined);
      expect(await service.verifyToken(other.token)).to.include({ username: 'hedong' });
      expect(userEnded).to.deep.equal([{ userId: agentId, reason: 'disabled', keptTokenHash: undefined }]);
      expect(ended).to.deep.equal([]);
      expect(await rejection(service.login('li.na', 'agent-pass'))).to.include({ code: 'LOGIN_FAILED' });
      await service.updateUser(agentId, { active: true }, { id: adminId });
      expect(await service.login('li.na', 'agent-pass')).to.have.property('token');
    });

    it('when an admin tries to disable their own account, it refuses naming active and nothing changes', async () => {
      const { token } = await service.login('root', 'admin-pass');
      const err = await rejection(service.updateUser(adminId, { active: false }, { id: adminId }));
      expect((err as ValidationError).issues).to.deep.equal([{ path: 'active', message: 'you cannot disable your own account' }]);
      expect(await service.verifyToken(token)).to.include({ id: adminId, active: true });
      expect(userEnded).to.deep.equal([]);
    });

    it('when disabling would leave no active admin, it refuses naming active; two admins disabling each other at once: one of them stays', async () => {
      // An actor that is not an active admin here (e.g. acting through another process) cannot disable the last one.
      const err = await rejection(service.updateUser(adminId, { active: false }, { id: agentId }));
      expect(err).to.be.instanceOf(ValidationError);
      expect((err as ValidationError).issues).to.deep.equal([{ path: 'active', message: `user ${adminId} is the last active admin: enable or create another admin first` }]);
      expect(userEnded).to.deep.equal([]);

      const second = (await service.createUser({ username: 'root2', password: 'admin-pass', role: 'admin' })).id;
      const results = await Promise.allSettled([
        service.updateUser(second, { active: false }, { id: adminId }),
        service.updateUser(adminId, { active: false }, { id: second }),
      ]);
      expect(results.map((r) => r.status)).to.deep.equal(['fulfilled', 'rejected']);
      expect(users.rows.filter((u) => u.role === 'admin' && u.active).map((u) => u.id)).to.deep.equal([adminId]);
      // Disabling an admin while another stays active is fine.
      await service.updateUser(second, { active: true }, { id: adminId });
      expect(await service.updateUser(second, { active: false }, { id: adminId })).to.include({ active: false });
    });

    it('when a unit user is created or changed with a unitId naming no handling unit, it refuses naming unitId', async () => {
      const created = await rejection(service.createUser({ username: 'xicheng', password: 'unit-pass-1', role: 'unit', unitId: 99 }));
      expect((created as ValidationError).issues).to.deep.equal([{ path: 'unitId', message: 'names no handling unit (99)' }]);
      const changed = await rejection(service.updateUser(unitUserId, { unitId: 98 }, { id: adminId }));
      expect((changed as ValidationError).issues).to.deep.equal([{ path: 'unitId', message: 'names no handling unit (98)' }]);
      expect(users.rows.find((u) => u.id === unitUserId)?.unitId).to.equal(3);
      expect(users.rows.map((u) => u.username)).not.to.include('xicheng');
    });

    it('when an admin sets a login or SIP password, the log says which admin (never the password)', async () => {
      const info = sinon.spy(logger, 'info');
      await service.setPassword(agentId, 'brand-new-pass', { id: adminId });
      await service.setSipPassword(agentId, 'sip-pass-9', { id: adminId });
      const calls = info.args as unknown as [string, Record<string, unknown>][];
      const lines = calls.filter(([message]) => message === 'password set' || message === 'sip password set');
      expect(lines).to.deep.equal([
        ['password set', { userId: agentId, byUserId: adminId, mustChangePassword: true }],
        ['sip password set', { userId: agentId, agentId: '1001', byUserId: adminId }],
      ]);
      expect(JSON.stringify(calls)).not.to.match(/brand-new-pass|sip-pass-9/);
    });

    it('when an admin sets a login password, the old one fails, the new one works, and the other sessions end but the kept one', async () => {
      const old = await service.login('li.na', 'agent-pass');
      await service.setPassword(agentId, 'brand-new-pass', { id: adminId });
      expect(await service.verifyToken(old.token)).to.equal(undefined);
      expect(userEnded).to.deep.equal([{ userId: agentId, reason: 'password-changed', keptTokenHash: undefined }]);
      expect(await rejection(service.login('li.na', 'agent-pass'))).to.include({ code: 'LOGIN_FAILED' });
      expect(await service.login('li.na', 'brand-new-pass')).to.have.property('token');
      const mine = await service.login('root', 'admin-pass');
      const elsewhere = await service.login('root', 'admin-pass');
      await service.setPassword(adminId, 'admin-pass-2', { id: adminId }, { keepToken: mine.token });
      expect(await service.verifyToken(mine.token)).to.include({ id: adminId });
      expect(await service.verifyToken(elsewhere.token)).to.equal(undefined);
      expect(userEnded.at(-1)).to.deep.equal({ userId: adminId, reason: 'password-changed', keptTokenHash: hashToken(mine.token) });
      expect(JSON.stringify(users.rows)).not.to.contain('brand-new-pass');
    });

    /** Holds the next session insert until `release()`: a slow database round trip of a login. */
    function holdNextSessionInsert(): { release: () => void; held: Promise<void> } {
      let release!: () => void;
      let reached!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const held = new Promise<void>((resolve) => (reached = resolve));
      const create = sessions.create.bind(sessions);
      sinon.stub(sessions, 'create').callsFake(async (session) => {
        reached();
        await gate;
        return create(session);
      });
      return { release, held };
    }

    it('when an admin resets the password while a login with the old one is storing its session, that login fails and leaves no session', async () => {
      const insert = holdNextSessionInsert();
      const attacker = rejection(service.login('li.na', 'agent-pass')); // password checked, insert pending
      await insert.held;
      await service.setPassword(agentId, 'brand-new-pass', { id: adminId }); // ends every session of the user
      insert.release();
      expect(await attacker).to.be.instanceOf(LoginFailedError);
      expect([...sessions.rows.values()].filter((s) => s.userId === agentId)).to.deep.equal([]);
      expect(await service.login('li.na', 'brand-new-pass')).to.have.property('token');
    });

    it('when an admin disables the user while its login is storing its session, that login fails and leaves no session', async () => {
      const insert = holdNextSessionInsert();
      const late = rejection(service.login('li.na', 'agent-pass'));
      await insert.held;
      await service.updateUser(agentId, { active: false }, { id: adminId });
      insert.release();
      expect(await late).to.be.instanceOf(LoginFailedError);
      expect([...sessions.rows.values()].filter((s) => s.userId === agentId)).to.deep.equal([]);
    });

    it('when the new password is too short, it refuses naming password and keeps the old one', async () => {
      const err = await rejection(service.setPassword(agentId, 'short', { id: adminId }));
      expect((err as ValidationError).issues).to.deep.equal([{ path: 'password', message: 'must be at least 8 characters' }]);
      expect(await service.login('li.na', 'agent-pass')).to.have.property('token');
    });

    it('when an admin sets an agent’s SIP password, the HA1 is of extension:realm:new password; a non-agent is refused', async () => {
      await service.setSipPassword(agentId, 'sip-pass-2', { id: adminId });
      expect(users.rows.find((u) => u.id === agentId)?.sipHa1).to.equal(computeSipHa1('1001', 'hotline12345', 'sip-pass-2'));
      expect(await service.login('li.na', 'agent-pass')).to.have.property('token');
      expect(await rejection(service.setSipPassword(unitUserId, 'sip-pass-2', { id: adminId }))).to.be.instanceOf(InvalidStateError);
      const short = await rejection(service.setSipPassword(agentId, 'x', { id: adminId }));
      expect((short as ValidationError).issues).to.deep.equal([{ path: 'sipPassword', message: 'must be at least 8 characters' }]);
    });

    it('when an agent’s SIP password is set or the agent disabled, it tells sip-credentials-changed with the extension (the registration is dropped); not for other users', async () => {
      const changed: unknown[] = [];
      service.observer.on('sip-credentials-changed', (e) => changed.push(e));
      await service.setSipPassword(agentId, 'sip-pass-2', { id: adminId });
      await service.updateUser(unitUserId, { active: false }, { id: adminId });
      await service.updateUser(agentId, { displayName: '李娜' }, { id: adminId });
      await service.updateUser(agentId, { active: false }, { id: adminId });
      expect(changed).to.deep.equal([
        { userId: agentId, extension: '1001', reason: 'sip-password-set' },
        { userId: agentId, extension: '1001', reason: 'disabled' },
      ]);
    });
  });

  describe('ensureAdmin', () => {
    it('when no user has the name, it creates an admin once and then does nothing', async () => {
      expect(await service.ensureAdmin('admin', 'admin-pass-1')).to.equal(true);
      expect(await service.ensureAdmin('admin', 'other-pass-2')).to.equal(false);
      expect(users.rows).to.have.length(1);
      expect(await service.authenticate('admin', 'admin-pass-1')).to.include({ role: 'admin' });
      expect(await rejection(service.authenticate('admin', 'other-pass-2'))).to.include({ code: 'LOGIN_FAILED' });
    });

    it('when another process created it first, it returns false', async () => {
      sinon.stub(users, 'findByUsername').resolves(undefined);
      sinon.stub(users, 'create').rejects(new DuplicateUserError('username', 'admin'));
      expect(await service.ensureAdmin('admin', 'admin-pass-1')).to.equal(false);
    });
  });
});
