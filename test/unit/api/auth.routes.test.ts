import { expect } from 'chai';
import sinon from 'sinon';
import { startAuthTestServer, type AuthTestServer } from './auth-test-server.js';

describe('auth routes', () => {
  let t: AuthTestServer;

  beforeEach(async () => {
    t = await startAuthTestServer();
    await t.service.createUser({ username: 'li.na', password: 'agent-pass', role: 'agent', displayName: '李娜', extension: '1001' });
  });

  afterEach(async () => {
    sinon.restore();
    await t.server.close();
  });

  describe('POST /api/v1/auth/login', () => {
    it('when the credentials are right, it answers 200 with a token, its expiry and the user without secrets', async () => {
      const res = await t.call('POST', '/api/v1/auth/login', { body: { username: 'li.na', password: 'agent-pass' } });
      expect(res.status).to.equal(200);
      expect(res.headers.get('cache-control')).to.equal('no-store');
      const body = res.body as { token: string; expiresAt: string; user: unknown; timeZone: string };
      expect(body.timeZone, "the centre's zone (config TZ), for the browser's dates").to.equal('Asia/Shanghai');
      expect(body.token).to.match(/^[A-Za-z0-9_-]{43}$/);
      expect(body.expiresAt).to.equal(new Date(t.clock.now() + 12 * 3_600_000).toISOString());
      expect(body.user).to.deep.equal({ id: 1, username: 'li.na', role: 'agent', displayName: '李娜', extension: '1001', mustChangePassword: false });
    });

    it('when the password is wrong or the user unknown, it answers 401 LOGIN_FAILED with the same message', async () => {
      const wrong = await t.call('POST', '/api/v1/auth/login', { body: { username: 'li.na', password: 'wrong-pass' } });
      const unknown = await t.call('POST', '/api/v1/auth/login', { body: { username: 'nobody', password: 'agent-pass' } });
      expect(wrong.status).to.equal(401);
      expect(unknown.status).to.equal(401);
      expect(wrong.body).to.deep.equal({ error: { code: 'LOGIN_FAILED', message: 'wrong username or password' } });
      expect(unknown.body).to.deep.equal(wrong.body);
    });

    it('when 6 logins failed from one address, the next answers 429 LOGIN_LOCKED with Retry-After', async () => {
      for (let i = 0; i < 6; i++) await t.call('POST', '/api/v1/auth/login', { body: { username: 'li.na', password: 'wrong-pass' } });
      const res = await t.call('POST', '/api/v1/auth/login', { body: { username: 'li.na', password: 'agent-pass' } });
      expect(res.status).to.equal(429);
      expect(res.body).to.have.nested.property('error.code', 'LOGIN_LOCKED');
      expect(res.headers.get('retry-after')).to.equal('1');
    });

    it('when fields are missing, it answers 400 naming each', async () => {
      const res = await t.call('POST', '/api/v1/auth/login', { body: { user: 'li.na' } });
      expect(res.status).to.equal(400);
      const paths = (res.body as { error: { issues: { path: string }[] } }).error.issues.map((i) => i.path);
      expect(paths).to.include.members(['username', 'password']);
    });
  });

  describe('authentication', () => {
    it('when no token is sent, /api/v1 routes answer 401 saying the header is missing', async () => {
      const res = await t.call('GET', '/api/v1/calls');
      expect(res.status).to.equal(401);
      expect(res.headers.get('www-authenticate')).to.match(/^Bearer/);
      expect(res.body).to.deep.equal({ error: { code: 'UNAUTHORIZED', message: 'missing Authorization header' } });
    });

    it('when the token is unknown or expired, it answers 401 token expired or unknown', async () => {
      const unknown = await t.call('GET', '/api/v1/calls', { token: 'A'.repeat(43) });
      expect(unknown.status).to.equal(401);
      expect(unknown.body).to.have.nested.property('error.message', 'token expired or unknown');
      const { token } = await t.service.login('li.na', 'agent-pass');
      expect((await t.call('GET', '/api/v1/auth/me', { token })).status).to.equal(200);
      t.clock.advance(12 * 3_600_000);
      const expired = await t.call('GET', '/api/v1/calls', { token });
      expect(expired.status).to.equal(401);
      expect(expired.body).to.have.nested.property('error.message', 'token expired or unknown');
    });

    it('when the header is not Bearer, it answers 401 saying the form', async () => {
      const res = await fetch(`${t.base}/api/v1/calls`, { headers: { authorization: 'Basic bGk6bmE=' } });
      expect(res.status).to.equal(401);
      expect(await res.json()).to.have.nested.property('error.message', 'Authorization header must be "Bearer <token>"');
    });

    it('when /healthz is asked without a token, it still answers', async () => {
      expect((await fetch(`${t.base}/healthz`)).status).to.equal(200);
    });
  });

  describe('GET /api/v1/auth/me and POST /api/v1/auth/logout', () => {
    it('when signed in, me answers the user; after logout the token is refused', async () => {
      const { token } = await t.service.login('li.na', 'agent-pass');
      const me = await t.call('GET', '/api/v1/auth/me', { token });
      expect(me.status).to.equal(200);
      expect(me.body).to.deep.equal({ user: { id: 1, username: 'li.na', role: 'agent', displayName: '李娜', extension: '1001', mustChangePassword: false }, timeZone: 'Asia/Shanghai' });
      const out = await t.call('POST', '/api/v1/auth/logout', { token });
      expect(out.status).to.equal(204);
      expect((await t.call('GET', '/api/v1/auth/me', { token })).status).to.equal(401);
    });

    it('when not signed in, me and logout answer 401', async () => {
      expect((await t.call('GET', '/api/v1/auth/me')).status).to.equal(401);
      expect((await t.call('POST', '/api/v1/auth/logout')).status).to.equal(401);
    });
  });
});
