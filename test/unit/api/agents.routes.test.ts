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
    });

    it('when the username is taken, it answers 409 naming username', async () => {
      await t.call('POST', '/api/v1/agents', { token: admin, body: newAgent });
      const res = await t.call('POST', '/api/v1/agents', { token: admin, body: { ...newAgent, extension: '1002' } });
      expect(res.status).to.equal(409);
      expect((res.body as ErrorJson).error.message).to.contain('username li.na');
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
});
