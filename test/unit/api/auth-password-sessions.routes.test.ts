import { expect } from 'chai';
import sinon from 'sinon';
import { startAuthTestServer, type AuthTestServer } from './auth-test-server.js';

interface ErrorJson {
  error: { code: string; message: string; issues?: { path: string; message: string }[] };
}

interface SessionJsonLike {
  id: string;
  createdAt: string;
  expiresAt: string;
  current: boolean;
  clientAddress: string | null;
  userAgent: string | null;
}

describe('own password, forced change and sessions routes', () => {
  let t: AuthTestServer;
  let admin: string;
  let agentId: number;

  const login = async (username: string, password: string, userAgent?: string) =>
    (await fetch(`${t.base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(userAgent === undefined ? {} : { 'user-agent': userAgent }) },
      body: JSON.stringify({ username, password }),
    }).then((r) => r.json())) as { token: string; user: { mustChangePassword: boolean } };

  beforeEach(async () => {
    t = await startAuthTestServer();
    admin = await t.tokenFor({ username: 'root', password: 'admin-pass', role: 'admin' });
    agentId = (await t.service.createUser({ username: 'li.na', password: 'agent-pass', role: 'agent', displayName: '李娜', extension: '1001' })).id;
  });

  afterEach(async () => {
    sinon.restore();
    await t.server.close();
  });

  describe('POST /api/v1/auth/password', () => {
    it('when the current password is right, it answers 200 with the user, the other sessions end and this one stays', async () => {
      const here = await login('li.na', 'agent-pass');
      const there = await login('li.na', 'agent-pass');
      const res = await t.call('POST', '/api/v1/auth/password', { token: here.token, body: { currentPassword: 'agent-pass', newPassword: 'my-own-pass-1' } });
      expect(res.status).to.equal(200);
      expect(res.headers.get('cache-control')).to.equal('no-store');
      expect(res.body).to.deep.equal({ user: { id: agentId, username: 'li.na', role: 'agent', displayName: '李娜', extension: '1001', mustChangePassword: false } });
      expect(JSON.stringify(res.body)).not.to.match(/my-own-pass|agent-pass|scrypt/);
      expect((await t.call('GET', '/api/v1/auth/me', { token: here.token })).status).to.equal(200);
      expect((await t.call('GET', '/api/v1/auth/me', { token: there.token })).status).to.equal(401);
      expect((await t.call('POST', '/api/v1/auth/login', { body: { username: 'li.na', password: 'my-own-pass-1' } })).status).to.equal(200);
    });

    it('when the current password is wrong, it answers 400 naming currentPassword (not 401: the session stays)', async () => {
      const { token } = await login('li.na', 'agent-pass');
      const res = await t.call('POST', '/api/v1/auth/password', { token, body: { currentPassword: 'guess-0000', newPassword: 'my-own-pass-1' } });
      expect(res.status).to.equal(400);
      expect((res.body as ErrorJson).error.issues).to.deep.equal([{ path: 'currentPassword', message: 'is not your current password' }]);
      expect((await t.call('GET', '/api/v1/auth/me', { token })).status).to.equal(200);
    });

    it('when a token keeps guessing the current password, it answers 429 LOGIN_LOCKED with Retry-After, like the login form', async () => {
      const { token } = await login('li.na', 'agent-pass');
      for (let i = 0; i < 5; i++) await t.call('POST', '/api/v1/auth/password', { token, body: { currentPassword: `guess-${i}-pass`, newPassword: 'taken-over-1' } });
      const res = await t.call('POST', '/api/v1/auth/password', { token, body: { currentPassword: 'agent-pass', newPassword: 'taken-over-1' } });
      expect(res.status).to.equal(429);
      expect((res.body as ErrorJson).error.code).to.equal('LOGIN_LOCKED');
      expect(res.headers.get('retry-after')).to.equal('1');
    });

    it('when fields are missing, unknown or the new password too short, it answers 400 naming each; without a token 401', async () => {
      const { token } = await login('li.na', 'agent-pass');
      const missing = await t.call('POST', '/api/v1/auth/password', { token, body: { password: 'x' } });
      expect(missing.status).to.equal(400);
      expect(((missing.body as ErrorJson).error.issues ?? []).map((i) => i.path)).to.include.members(['currentPassword', 'newPassword']);
      const short = await t.call('POST', '/api/v1/auth/password', { token, body: { currentPassword: 'agent-pass', newPassword: 'short' } });
      expect((short.body as ErrorJson).error.issues).to.deep.equal([{ path: 'newPassword', message: 'must be at least 8 characters' }]);
      expect((await t.call('POST', '/api/v1/auth/password', { body: { currentPassword: 'agent-pass', newPassword: 'my-own-pass-1' } })).status).to.equal(401);
    });
  });

  describe('forced change after an admin reset', () => {
    it('when an admin resets a user’s password, its login and me say mustChangePassword; everything but me, password and logout answers 403 until it changes it', async () => {
      const boss = (await t.service.createUser({ username: 'boss', password: 'boss-pass-1', role: 'supervisor' })).id;
      expect((await t.call('POST', `/api/v1/users/${boss}/password`, { token: admin, body: { password: 'temp-pass-77' } })).status).to.equal(204);
      const listed = (await t.call('GET', '/api/v1/users', { token: admin })).body as { items: { username: string; mustChangePassword: boolean }[] };
      expect(listed.items.find((u) => u.username === 'boss')?.mustChangePassword, 'the admin page shows it').to.equal(true);
      const session = await login('boss', 'temp-pass-77');
      expect(session.user.mustChangePassword).to.equal(true);
      const me = await t.call('GET', '/api/v1/auth/me', { token: session.token });
      expect(me.status).to.equal(200);
      expect(me.body).to.have.nested.property('user.mustChangePassword', true);
      for (const [method, path] of [['GET', '/api/v1/agents'], ['GET', '/api/v1/auth/sessions'], ['GET', '/api/v1/calls']] as const) {
        const refused = await t.call(method, path, { token: session.token });
        expect(refused.status, `${method} ${path}`).to.equal(403);
        expect((refused.body as ErrorJson).error.code).to.equal('PASSWORD_CHANGE_REQUIRED');
        expect((refused.body as ErrorJson).error.message).to.match(/choose your own first/);
      }
      const changed = await t.call('POST', '/api/v1/auth/password', { token: session.token, body: { currentPassword: 'temp-pass-77', newPassword: 'boss-own-pass' } });
      expect(changed.status).to.equal(200);
      expect(changed.body).to.have.nested.property('user.mustChangePassword', false);
      expect((await t.call('GET', '/api/v1/agents', { token: session.token })).status).to.equal(200);
    });

    it('when a user must change its password, logout still works', async () => {
      await t.call('POST', `/api/v1/users/${agentId}/password`, { token: admin, body: { password: 'temp-pass-77' } });
      const { token } = await login('li.na', 'temp-pass-77');
      expect((await t.call('POST', '/api/v1/auth/logout', { token })).status).to.equal(204);
      expect((await t.call('GET', '/api/v1/auth/me', { token })).status).to.equal(401);
    });

    it('when an admin creates a user with mustChangePassword, it must change it at its first login; without the field it need not', async () => {
      const made = await t.call('POST', '/api/v1/agents', { token: admin, body: { username: 'wang', password: 'given-pass-1', extension: '1002', mustChangePassword: true } });
      expect(made.status).to.equal(201);
      expect(made.body).to.include({ mustChangePassword: true });
      expect((await login('wang', 'given-pass-1')).user.mustChangePassword).to.equal(true);
      const plain = await t.call('POST', '/api/v1/users', { token: admin, body: { username: 'zhao', password: 'given-pass-2', role: 'supervisor' } });
      expect(plain.body).to.include({ mustChangePassword: false });
      const bad = await t.call('POST', '/api/v1/users', { token: admin, body: { username: 'zhao2', password: 'given-pass-2', role: 'supervisor', mustChangePassword: 'yes' } });
      expect((bad.body as ErrorJson).error.issues).to.deep.equal([{ path: 'mustChangePassword', message: 'must be true or false' }]);
    });
  });

  describe('sessions', () => {
    it('when a user lists its sessions, each has an opaque id, its times, where it came from and which one is current', async () => {
      const first = await login('li.na', 'agent-pass', 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/120 360SE');
      const second = await login('li.na', 'agent-pass');
      const res = await t.call('GET', '/api/v1/auth/sessions', { token: second.token });
      expect(res.status).to.equal(200);
      const items = (res.body as { items: SessionJsonLike[] }).items;
      expect(items).to.have.length(2);
      for (const s of items) expect(s.id).to.match(/^[0-9a-f]{16}$/);
      expect(items.filter((s) => s.current)).to.have.length(1);
      expect(items.find((s) => s.userAgent?.includes('360SE'))).to.include({ clientAddress: '127.0.0.1', current: false });
      expect(JSON.stringify(res.body)).not.to.contain(first.token).and.not.to.contain(second.token);
    });

    it('when a user ends one of its sessions, that token stops; a malformed id is 400 naming id, an unknown one 404', async () => {
      const first = await login('li.na', 'agent-pass', 'first-browser');
      const second = await login('li.na', 'agent-pass');
      const items = ((await t.call('GET', '/api/v1/auth/sessions', { token: second.token })).body as { items: SessionJsonLike[] }).items;
      const other = items.find((s) => s.userAgent === 'first-browser');
      expect((await t.call('DELETE', `/api/v1/auth/sessions/${other?.id ?? ''}`, { token: second.token })).status).to.equal(204);
      expect((await t.call('GET', '/api/v1/auth/me', { token: first.token })).status).to.equal(401);
      expect((await t.call('GET', '/api/v1/auth/me', { token: second.token })).status).to.equal(200);
      const bad = await t.call('DELETE', '/api/v1/auth/sessions/not-an-id', { token: second.token });
      expect(bad.status).to.equal(400);
      expect((bad.body as ErrorJson).error.issues?.[0]?.path).to.equal('id');
      expect((await t.call('DELETE', `/api/v1/auth/sessions/${'0'.repeat(16)}`, { token: second.token })).status).to.equal(404);
    });

    it('when a user names the session of another user, it is 404 and that session stays', async () => {
      const agent = await login('li.na', 'agent-pass');
      const adminSessions = ((await t.call('GET', '/api/v1/auth/sessions', { token: admin })).body as { items: SessionJsonLike[] }).items;
      const res = await t.call('DELETE', `/api/v1/auth/sessions/${adminSessions[0]?.id ?? ''}`, { token: agent.token });
      expect(res.status).to.equal(404);
      expect((await t.call('GET', '/api/v1/auth/me', { token: admin })).status).to.equal(200);
    });

    it('when an admin lists a user’s sessions and signs it out everywhere, every token of it stops and the count is answered', async () => {
      const a = await login('li.na', 'agent-pass');
      const b = await login('li.na', 'agent-pass');
      const list = await t.call('GET', `/api/v1/users/${agentId}/sessions`, { token: admin });
      expect(list.status).to.equal(200);
      expect((list.body as { items: SessionJsonLike[] }).items.map((s) => s.current)).to.deep.equal([false, false]);
      const res = await t.call('DELETE', `/api/v1/users/${agentId}/sessions`, { token: admin });
      expect(res.status).to.equal(200);
      expect(res.body).to.deep.equal({ ended: 2 });
      for (const token of [a.token, b.token]) expect((await t.call('GET', '/api/v1/auth/me', { token })).status).to.equal(401);
      expect((await t.call('GET', '/api/v1/auth/me', { token: admin })).status).to.equal(200);
      expect((await t.call('GET', '/api/v1/users/999/sessions', { token: admin })).status).to.equal(404);
    });

    it('when a non-admin asks for a user’s sessions or to sign it out, it answers 403 and nothing ends', async () => {
      const a = await login('li.na', 'agent-pass');
      expect((await t.call('GET', `/api/v1/users/${agentId}/sessions`, { token: a.token })).status).to.equal(403);
      expect((await t.call('DELETE', `/api/v1/users/${agentId}/sessions`, { token: a.token })).status).to.equal(403);
      expect((await t.call('GET', '/api/v1/auth/me', { token: a.token })).status).to.equal(200);
    });
  });

  describe('deactivate and reactivate', () => {
    it('when an admin disables a user and enables it again, the user logs in anew and the token of before stays dead', async () => {
      const before = await login('li.na', 'agent-pass');
      expect((await t.call('PATCH', `/api/v1/users/${agentId}`, { token: admin, body: { active: false } })).status).to.equal(200);
      expect((await t.call('GET', '/api/v1/auth/me', { token: before.token })).status).to.equal(401);
      expect((await t.call('POST', '/api/v1/auth/login', { body: { username: 'li.na', password: 'agent-pass' } })).status).to.equal(401);
      expect((await t.call('PATCH', `/api/v1/users/${agentId}`, { token: admin, body: { active: true } })).body).to.include({ active: true });
      expect((await t.call('GET', '/api/v1/auth/me', { token: before.token })).status).to.equal(401);
      const after = await login('li.na', 'agent-pass');
      expect((await t.call('GET', '/api/v1/auth/me', { token: after.token })).status).to.equal(200);
    });
  });
});
