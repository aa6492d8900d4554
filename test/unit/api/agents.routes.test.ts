import { createHash } from 'node:crypto';
import { expect } from 'chai';
import sinon from 'sinon';
import { startAuthTestServer, type AuthTestServer } from './auth-test-server.js';

interface ErrorJson {
  error: { code: string; message: string; issues?: { path: string; message: string }[] };
}

describe('agents and users routes', () => {
  let t: AuthTestServer;
  let admin: string;
  let supervisor: string;

  const newAgent = { username: 'li.na', password: 'agent-pass', displayName: '李娜', extension: '1001', skills: ['water', 'general'] };

  beforeEach(async () => {
    t = await startAuthTestServer();
    admin = await t.tokenFor({ username: 'root', password: 'admin-pass', role: 'admin' });
    supervisor = await t.tokenFor({ username: 'boss', password: 'super-pass', role: 'supervisor', displayName: '班长' });
  });

  afterEach(async () => {
    sinon.restore();
    await t.server.close();
  });

  describe('GET /api/v1/agents/me/sip-credentials', () => {
    it('when an agent asks, it answers its own extension, realm and HA1 (never the clear password), after a SIP password change the new HA1', async () => {
      const created = (await t.call('POST', '/api/v1/agents', { token: supervisor, body: { ...newAgent, sipPassword: 'sip-pass-1' } })).body as { id: number };
      const agent = (await t.call('POST', '/api/v1/auth/login', { body: { username: 'li.na', password: 'agent-pass' } })).body as { token: string };
      const res = await t.call('GET', '/api/v1/agents/me/sip-credentials', { token: agent.token });
      expect(res.status).to.equal(200);
      expect(res.headers.get('cache-control')).to.equal('no-store');
      expect(res.body).to.deep.equal({ extension: '1001', realm: 'hotline12345', ha1: createHash('md5').update('1001:hotline12345:sip-pass-1').digest('hex') });
      await t.call('POST', `/api/v1/users/${created.id}/sip-password`, { token: admin, body: { password: 'sip-pass-2' } });
      const again = await t.call('GET', '/api/v1/agents/me/sip-credentials', { token: agent.token });
      expect((again.body as { ha1: string }).ha1).to.equal(createHash('md5').update('1001:hotline12345:sip-pass-2').digest('hex'));
    });

    it('when a supervisor or nobody asks, it answers 403 or 401', async () => {
      expect((await t.call('GET', '/api/v1/agents/me/sip-credentials', { token: supervisor })).status).to.equal(403);
      expect((await t.call('GET', '/api/v1/agents/me/sip-credentials')).status).to.equal(401);
    });
  });

  describe('POST /api/v1/agents', () => {
    it('when a supervisor creates an agent, it answers 201 with the agent and no secrets', async () => {
      const res = await t.call('POST', '/api/v1/agents', { token: supervisor, body: newAgent });
      expect(res.status).to.equal(201);
      expect(res.body).to.deep.include({ username: 'li.na', displayName: '李娜', role: 'agent', extension: '1001', skills: ['water', 'general'], active: true });
      const text = JSON.stringify(res.body);
      expect(text).not.to.match(/agent-pass|scrypt|sipHa1|passwordHash/);
      const login = await t.call('POST', '/api/v1/auth/login', { body: { username: 'li.na', password: 'agent-pass' } });
      expect(login.status).to.equal(200);
    });

    it('when no token is sent, it answers 401', async () => {
      expect((await t.call('POST', '/api/v1/agents', { body: newAgent })).status).to.equal(401);
    });

    it('when an agent tries to create an agent, it answers 403', async () => {
      const agent = await t.tokenFor({ username: 'agent0', password: 'agent0-pass', role: 'agent', extension: '1000' });
      const res = await t.call('POST', '/api/v1/agents', { token: agent, body: newAgent });
      expect(res.status).to.equal(403);
      expect((res.body as ErrorJson).error.code).to.equal('FORBIDDEN');
    });

    it('when the extension is taken, it answers 409 naming extension', async () => {
      await t.call('POST', '/api/v1/agents', { token: admin, body: newAgent });
      const res = await t.call('POST', '/api/v1/agents', { token: admin, body: { ...newAgent, username: 'other' } });
      expect(res.status).to.equal(409);
      expect((res.body as ErrorJson).error.code).to.equal('DUPLICATE');
      expect((res.body as ErrorJson).error.message).to.contain('extension 1001');
      expect((res.body as ErrorJson).error.issues).to.deep.equal([{ path: 'extension', message: 'is already taken' }]);
    });

    it('when the username is taken, it answers 409 naming username', async () => {
      await t.call('POST', '/api/v1/agents', { token: admin, body: newAgent });
      const res = await t.call('POST', '/api/v1/agents', { token: admin, body: { ...newAgent, extension: '1002' } });
      expect(res.status).to.equal(409);
      expect((res.body as ErrorJson).error.message).to.contain('username li.na');
      expect((res.body as ErrorJson).error.issues).to.deep.equal([{ path: 'username', message: 'is already taken' }]);
    });

    it('when fields are invalid, it answers 400 naming each field', async () => {
      const res = await t.call('POST', '/api/v1/agents', {
        token: admin,
        body: { username: 'x', password: 'short', extension: '12a', skills: 'water', role: 'admin' },
      });
      expect(res.status).to.equal(400);
      const paths = ((res.body as ErrorJson).error.issues ?? []).map((i) => i.path);
      expect(paths).to.include.members(['username', 'password', 'extension', 'skills']);
    });
  });

  describe('GET /api/v1/agents', () => {
    it('when a supervisor lists agents, it sees only agents', async () => {
      await t.call('POST', '/api/v1/agents', { token: supervisor, body: newAgent });
      const res = await t.call('GET', '/api/v1/agents', { token: supervisor });
      expect(res.status).to.equal(200);
      expect((res.body as { items: { username: string }[] }).items.map((a) => a.username)).to.deep.equal(['li.na']);
    });

    it('when a unit user lists agents, it answers 403', async () => {
      const unit = await t.tokenFor({ username: 'unit1', password: 'unit1-pass', role: 'unit', unitId: 3 });
      expect((await t.call('GET', '/api/v1/agents', { token: unit })).status).to.equal(403);
    });
  });

  describe('POST /api/v1/users', () => {
    it('when an admin creates a unit user, it answers 201 with its unit', async () => {
      const res = await t.call('POST', '/api/v1/users', {
        token: admin,
        body: { username: 'hedong.water', password: 'unit-pass-1', role: 'unit', displayName: '河东区水务局', unitId: 12 },
      });
      expect(res.status).to.equal(201);
      expect(res.body).to.deep.include({ username: 'hedong.water', role: 'unit', displayName: '河东区水务局', unitId: 12, extension: null });
    });

    it('when a supervisor creates a user, it answers 403', async () => {
      const res = await t.call('POST', '/api/v1/users', { token: supervisor, body: { username: 'boss2', password: 'super-pass', role: 'supervisor' } });
      expect(res.status).to.equal(403);
    });

    it('when the role is agent or unitId is given for a supervisor, it answers 400 naming the field', async () => {
      const agent = await t.call('POST', '/api/v1/users', { token: admin, body: { username: 'agent1', password: 'agent-pass', role: 'agent' } });
      expect(agent.status).to.equal(400);
      expect(((agent.body as ErrorJson).error.issues ?? []).map((i) => i.path)).to.deep.equal(['role']);
      const sup = await t.call('POST', '/api/v1/users', { token: admin, body: { username: 'boss2', password: 'super-pass', role: 'supervisor', unitId: 3 } });
      expect(sup.status).to.equal(400);
      expect((sup.body as ErrorJson).error.issues).to.deep.equal([{ path: 'unitId', message: 'is only for unit users' }]);
    });

    it('when an admin lists users, it sees every role', async () => {
      const res = await t.call('GET', '/api/v1/users', { token: admin });
      expect(res.status).to.equal(200);
      expect((res.body as { items: { role: string }[] }).items.map((u) => u.role)).to.deep.equal(['admin', 'supervisor']);
    });
  });
  describe('PATCH /api/v1/users/:id and the password calls', () => {
    let agentId: number;
    const me = async (token: string) => t.call('GET', '/api/v1/auth/me', { token });

    beforeEach(async () => {
      agentId = ((await t.call('POST', '/api/v1/agents', { token: admin, body: { ...newAgent, sipPassword: 'sip-pass-1' } })).body as { id: number }).id;
    });

    it('when an admin changes name, skills and active, it answers the user without secrets', async () => {
      const res = await t.call('PATCH', `/api/v1/users/${agentId}`, { token: admin, body: { displayName: '李娜娜', skills: ['callback'] } });
      expect(res.status).to.equal(200);
      expect(res.body).to.deep.include({ id: agentId, displayName: '李娜娜', skills: ['callback'], active: true, extension: '1001' });
      expect(JSON.stringify(res.body)).not.to.match(/scrypt|sipHa1|passwordHash/);
    });

    it('when a supervisor, an agent or nobody calls them, it answers 403 / 401 and nothing changes', async () => {
      const agent = (await t.call('POST', '/api/v1/auth/login', { body: { username: 'li.na', password: 'agent-pass' } })).body as { token: string };
      for (const token of [supervisor, agent.token]) {
        expect((await t.call('PATCH', `/api/v1/users/${agentId}`, { token, body: { active: false } })).status).to.equal(403);
        expect((await t.call('POST', `/api/v1/users/${agentId}/password`, { token, body: { password: 'taken-over-1' } })).status).to.equal(403);
        expect((await t.call('POST', `/api/v1/users/${agentId}/sip-password`, { token, body: { password: 'taken-over-1' } })).status).to.equal(403);
      }
      expect((await t.call('PATCH', `/api/v1/users/${agentId}`, { body: { active: false } })).status).to.equal(401);
      expect((await me(agent.token)).status).to.equal(200);
    });

    it('when fields are bad, it answers 400 naming each (body and path)', async () => {
      const bad = await t.call('PATCH', `/api/v1/users/${agentId}`, { token: admin, body: { displayName: '', skills: 'water', active: 'yes' } });
      expect(bad.status).to.equal(400);
      expect(((bad.body as ErrorJson).error.issues ?? []).map((i) => i.path)).to.deep.equal(['displayName', 'skills', 'active']);
      const role = await t.call('PATCH', `/api/v1/users/${agentId}`, { token: admin, body: { unitId: 3 } });
      expect((role.body as ErrorJson).error.issues).to.deep.equal([{ path: 'unitId', message: 'is only for unit users' }]);
      const unknown = await t.call('PATCH', `/api/v1/users/${agentId}`, { token: admin, body: { role: 'admin' } });
      expect((unknown.body as ErrorJson).error.issues?.[0]?.message).to.match(/^unknown field role/);
      const path = await t.call('PATCH', '/api/v1/users/abc', { token: admin, body: { active: true } });
      expect(path.status).to.equal(400);
      expect((path.body as ErrorJson).error.issues?.[0]?.path).to.equal('id');
      expect((await t.call('PATCH', '/api/v1/users/999', { token: admin, body: { active: true } })).status).to.equal(404);
      const short = await t.call('POST', `/api/v1/users/${agentId}/password`, { token: admin, body: { password: 'short' } });
      expect(short.status).to.equal(400);
      expect((short.body as ErrorJson).error.issues).to.deep.equal([{ path: 'password', message: 'must be at least 8 characters' }]);
    });

    it('when an admin disables a user, its token stops at once and it cannot log in; enabled again, it can', async () => {
      const agent = (await t.call('POST', '/api/v1/auth/login', { body: { username: 'li.na', password: 'agent-pass' } })).body as { token: string };
      const res = await t.call('PATCH', `/api/v1/users/${agentId}`, { token: admin, body: { active: false } });
      expect(res.status).to.equal(200);
      expect(res.body).to.deep.include({ active: false });
      expect((await me(agent.token)).status).to.equal(401);
      expect((await t.call('POST', '/api/v1/auth/login', { body: { username: 'li.na', password: 'agent-pass' } })).status).to.equal(401);
      await t.call('PATCH', `/api/v1/users/${agentId}`, { token: admin, body: { active: true } });
      // The lost session does not come back; a new login works.
      expect((await me(agent.token)).status).to.equal(401);
      expect((await t.call('POST', '/api/v1/auth/login', { body: { username: 'li.na', password: 'agent-pass' } })).status).to.equal(200);
    });

    it('when an admin disables their own account, it answers 400 naming active and the admin stays signed in', async () => {
      const self = ((await me(admin)).body as { user: { id: number } }).user.id;
      const res = await t.call('PATCH', `/api/v1/users/${self}`, { token: admin, body: { active: false } });
      expect(res.status).to.equal(400);
      expect((res.body as ErrorJson).error.issues).to.deep.equal([{ path: 'active', message: 'you cannot disable your own account' }]);
      expect((await me(admin)).status).to.equal(200);
    });

    it('when an admin resets a login password, it answers 204 without the password, the old sessions end and the new password logs in', async () => {
      const agent = (await t.call('POST', '/api/v1/auth/login', { body: { username: 'li.na', password: 'agent-pass' } })).body as { token: string };
      const res = await t.call('POST', `/api/v1/users/${agentId}/password`, { token: admin, body: { password: 'fresh-pass-77' } });
      expect(res.status).to.equal(204);
      expect(res.body).to.equal(undefined);
      expect((await me(agent.token)).status).to.equal(401);
      expect((await t.call('POST', '/api/v1/auth/login', { body: { username: 'li.na', password: 'agent-pass' } })).status).to.equal(401);
      expect((await t.call('POST', '/api/v1/auth/login', { body: { username: 'li.na', password: 'fresh-pass-77' } })).status).to.equal(200);
    });

    it('when an admin resets their own password, the session making the call stays', async () => {
      const self = ((await me(admin)).body as { user: { id: number } }).user.id;
      expect((await t.call('POST', `/api/v1/users/${self}/password`, { token: admin, body: { password: 'admin-pass-2' } })).status).to.equal(204);
      expect((await me(admin)).status).to.equal(200);
    });

    it('when an admin sets a SIP password, it answers 204 for an agent and 409 INVALID_STATE for a supervisor', async () => {
      const res = await t.call('POST', `/api/v1/users/${agentId}/sip-password`, { token: admin, body: { password: 'sip-pass-2' } });
      expect(res.status).to.equal(204);
      const boss = ((await me(supervisor)).body as { user: { id: number } }).user.id;
      const refused = await t.call('POST', `/api/v1/users/${boss}/sip-password`, { token: admin, body: { password: 'sip-pass-2' } });
      expect(refused.status).to.equal(409);
      expect((refused.body as ErrorJson).error.code).to.equal('INVALID_STATE');
    });
  });
});
