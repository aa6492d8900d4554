import { expect } from 'chai';
import sinon from 'sinon';
import { CurrentPasswordWrongError, LoginLockedError } from '../../../src/identity/identity-errors.js';
import { IdentityService, hashToken, type SessionEndedEvent, type UserSessionsEndedEvent } from '../../../src/identity/identity-service.js';
import { silentLogger } from '../../../src/logging/logger.js';
import { NotFoundError, ValidationError } from '../../../src/shared/app-error.js';
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

describe('IdentityService: own password, forced change, sessions', () => {
  let users: InMemoryUserRepository;
  let sessions: InMemorySessionRepository;
  let clock: FakeClock;
  let service: IdentityService;
  let adminId: number;
  let agentId: number;
  let ended: SessionEndedEvent[];
  let userEnded: UserSessionsEndedEvent[];

  beforeEach(async () => {
    users = new InMemoryUserRepository();
    sessions = new InMemorySessionRepository();
    clock = new FakeClock();
    service = new IdentityService({ users, sessions, clock, sipRealm: 'hotline12345', tokenTtlMs: 12 * HOUR, logger: silentLogger() });
    adminId = (await service.createUser({ username: 'root', password: 'admin-pass', role: 'admin' })).id;
    agentId = (await service.createUser({ username: 'li.na', password: 'agent-pass', role: 'agent', extension: '1001' })).id;
    ended = [];
    userEnded = [];
    service.observer.on('session-ended', (e) => ended.push(e));
    service.observer.on('user-sessions-ended', (e) => userEnded.push(e));
  });

  afterEach(() => {
    sinon.restore();
  });

  describe('changeOwnPassword', () => {
    it('when the current password is right, the new one works, the old fails, the other sessions end and this one stays', async () => {
      const here = await service.login('li.na', 'agent-pass', '10.0.0.7');
      const elsewhere = await service.login('li.na', 'agent-pass', '10.0.0.8');
      const user = await service.changeOwnPassword(agentId, 'agent-pass', 'my-own-pass-1', { token: here.token, address: '10.0.0.7' });
      expect(user.mustChangePassword).to.equal(false);
      expect(await service.verifyToken(here.token)).to.include({ id: agentId });
      expect(await service.verifyToken(elsewhere.token)).to.equal(undefined);
      expect(userEnded).to.deep.equal([{ userId: agentId, reason: 'password-changed', keptTokenHash: hashToken(here.token) }]);
      expect(await rejection(service.authenticate('li.na', 'agent-pass'))).to.include({ code: 'LOGIN_FAILED' });
      expect(await service.authenticate('li.na', 'my-own-pass-1')).to.include({ id: agentId });
    });

    it('when the current password is wrong, it refuses naming currentPassword and nothing changes', async () => {
      const { token } = await service.login('li.na', 'agent-pass');
      const err = await rejection(service.changeOwnPassword(agentId, 'guess-1234', 'my-own-pass-1', { token }));
      expect(err).to.be.instanceOf(CurrentPasswordWrongError);
      expect((err as ValidationError).issues).to.deep.equal([{ path: 'currentPassword', message: 'is not your current password' }]);
      expect(await service.authenticate('li.na', 'agent-pass')).to.include({ id: agentId });
      expect(userEnded).to.deep.equal([]);
    });

    it('when a stolen token guesses the current password, it is slowed like a login and the guesses count for the login form too', async () => {
      const { token } = await service.login('li.na', 'agent-pass', '203.0.113.9');
      for (let i = 0; i < 5; i++) {
        expect(await rejection(service.changeOwnPassword(agentId, `guess-${i}-xyz`, 'taken-over-1', { token, address: '203.0.113.9' }))).to.be.instanceOf(CurrentPasswordWrongError);
      }
      const locked = await rejection(service.changeOwnPassword(agentId, 'agent-pass', 'taken-over-1', { token, address: '203.0.113.9' }));
      expect(locked).to.be.instanceOf(LoginLockedError);
      expect((locked as LoginLockedError).retryAfterMs).to.equal(1000);
      // The same counters as the login form: that address waits there too.
      expect(await rejection(service.login('li.na', 'agent-pass', '203.0.113.9'))).to.be.instanceOf(LoginLockedError);
      expect(await service.authenticate('li.na', 'agent-pass', '10.0.0.7')).to.include({ id: agentId });
    });

    it('when the new password breaks the rules or equals the current one, it refuses naming newPassword', async () => {
      const { token } = await service.login('li.na', 'agent-pass');
      const short = await rejection(service.changeOwnPassword(agentId, 'agent-pass', 'short', { token }));
      expect((short as ValidationError).issues).to.deep.equal([{ path: 'newPassword', message: 'must be at least 8 characters' }]);
      const same = await rejection(service.changeOwnPassword(agentId, 'agent-pass', 'agent-pass', { token }));
      expect((same as ValidationError).issues).to.deep.equal([{ path: 'newPassword', message: 'must differ from the current password' }]);
    });
  });

  describe('forced change after an admin set the password', () => {
    it('when an admin resets another user’s password, the user must change it; its own change clears that', async () => {
      await service.setPassword(agentId, 'temp-pass-77', { id: adminId });
      const { token, user } = await service.login('li.na', 'temp-pass-77');
      expect(user.mustChangePassword).to.equal(true);
      expect(await service.verifyToken(token)).to.include({ mustChangePassword: true });
      await service.changeOwnPassword(agentId, 'temp-pass-77', 'my-own-pass-1', { token });
      expect(await service.verifyToken(token)).to.include({ mustChangePassword: false });
      expect((await service.getUser(agentId)).mustChangePassword).to.equal(false);
    });

    it('when an admin resets their own password, they are not asked to change it again', async () => {
      await service.setPassword(adminId, 'admin-pass-2', { id: adminId });
      expect((await service.getUser(adminId)).mustChangePassword).to.equal(false);
    });

    it('when a user is created with mustChangePassword, its first login says so; without it (and for the first admin) it does not', async () => {
      await service.createUser({ username: 'wang', password: 'given-pass-1', role: 'supervisor', mustChangePassword: true });
      expect((await service.login('wang', 'given-pass-1')).user.mustChangePassword).to.equal(true);
      expect((await service.login('li.na', 'agent-pass')).user.mustChangePassword).to.equal(false);
      await service.ensureAdmin('admin', 'first-admin-pass');
      expect((await service.login('admin', 'first-admin-pass')).user.mustChangePassword).to.equal(false);
    });
  });

  describe('sessions', () => {
    it('when a user lists its sessions, it sees each live one with an id that is not its token hash, where it came from and which is current', async () => {
      const first = await service.login('li.na', 'agent-pass', '10.0.0.7', 'Mozilla/5.0 (Windows NT 10.0) Chrome/120');
      clock.advance(60_000);
      const second = await service.login('li.na', 'agent-pass', '10.0.0.8', 'bad\u0000agent\r\nX-Injected: 1');
      await service.login('root', 'admin-pass');
      const list = await service.listSessions(agentId, second.token);
      expect(list.map((s) => s.current)).to.deep.equal([true, false]);
      expect(list[0]).to.deep.equal({
        id: hashToken(second.token).slice(0, 16),
        createdAt: new Date(clock.now()),
        expiresAt: second.expiresAt,
        current: true,
        clientAddress: '10.0.0.8',
        userAgent: 'bad agent  X-Injected: 1',
      });
      expect(list[1]).to.include({ clientAddress: '10.0.0.7', userAgent: 'Mozilla/5.0 (Windows NT 10.0) Chrome/120' });
      expect(list.map((s) => s.id)).not.to.include(hashToken(first.token));
      expect(JSON.stringify(list)).not.to.contain(first.token).and.not.to.contain(hashToken(first.token));
      clock.advance(12 * HOUR - 30_000);
      expect((await service.listSessions(agentId)).map((s) => s.id), 'the expired one is not listed').to.deep.equal([hashToken(second.token).slice(0, 16)]);
    });

    it('when a user ends one of its sessions, that token stops and its sockets are told; another user’s session id is not found', async () => {
      const here = await service.login('li.na', 'agent-pass');
      const there = await service.login('li.na', 'agent-pass');
      const admin = await service.login('root', 'admin-pass');
      const id = hashToken(there.token).slice(0, 16);
      await service.endSession(agentId, id);
      expect(await service.verifyToken(there.token)).to.equal(undefined);
      expect(await service.verifyToken(here.token)).to.include({ id: agentId });
      expect(ended).to.deep.equal([{ tokenHash: hashToken(there.token), userId: agentId, reason: 'ended' }]);
      const others = await rejection(service.endSession(agentId, hashToken(admin.token).slice(0, 16)));
      expect(others).to.be.instanceOf(NotFoundError);
      expect(await service.verifyToken(admin.token)).to.include({ id: adminId });
      expect(await rejection(service.endSession(agentId, "' OR 1=1 --"))).to.be.instanceOf(NotFoundError);
    });

    it('when an admin signs a user out everywhere, every session ends with the reason in the event; the admin’s own call keeps its session', async () => {
      const a = await service.login('li.na', 'agent-pass');
      const b = await service.login('li.na', 'agent-pass');
      expect(await service.endAllSessions(agentId, { id: adminId })).to.equal(2);
      expect(await service.verifyToken(a.token)).to.equal(undefined);
      expect(await service.verifyToken(b.token)).to.equal(undefined);
      expect(userEnded).to.deep.equal([{ userId: agentId, reason: 'signed-out-by-admin', keptTokenHash: undefined }]);
      const mine = await service.login('root', 'admin-pass');
      await service.login('root', 'admin-pass');
      expect(await service.endAllSessions(adminId, { id: adminId }, { keepToken: mine.token })).to.equal(1);
      expect(await service.verifyToken(mine.token)).to.include({ id: adminId });
      expect(await rejection(service.endAllSessions(999, { id: adminId }))).to.be.instanceOf(NotFoundError);
    });
  });

  describe('deactivate and reactivate', () => {
    it('when a user is disabled and enabled again, it logs in anew but no token of before (nor one issued while disabled) comes back', async () => {
      const before = await service.login('li.na', 'agent-pass');
      await service.updateUser(agentId, { active: false }, { id: adminId });
      expect(await rejection(service.login('li.na', 'agent-pass'))).to.include({ code: 'LOGIN_FAILED' });
      // A token issued for it while disabled (as a racing login would) is refused too.
      const racing = await service.issueToken({ id: agentId });
      expect(await service.verifyToken(racing.token)).to.equal(undefined);
      await service.updateUser(agentId, { active: true }, { id: adminId });
      expect(await service.verifyToken(before.token)).to.equal(undefined);
      const after = await service.login('li.na', 'agent-pass');
      expect(await service.verifyToken(after.token)).to.include({ id: agentId, active: true });
      expect(userEnded.map((e) => e.reason)).to.deep.equal(['disabled']);
    });
  });
});
