import { expect } from 'chai';
import express from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import sinon from 'sinon';
import { apiErrorHandler, notFoundHandler } from '../../../src/api/api-error-handler.js';
import type { AuthUser, Role } from '../../../src/api/auth-context.js';
import { createTicketRoutes } from '../../../src/api/tickets.routes.js';
import { silentLogger } from '../../../src/logging/logger.js';
import { GOOD_REPLY, ticketFixture, type TicketFixture } from '../tickets/ticket-fixture.js';

type Json = Record<string, unknown>;

describe('ticket action routes', () => {
  let server: Server;
  let base: string;
  let f: TicketFixture;

  beforeEach(async () => {
    f = await ticketFixture();
    const app = express();
    app.use(express.json());
    const api = express.Router();
    api.use((req, res, next) => {
      const role = req.header('x-test-role');
      if (role !== undefined) {
        const unit = req.header('x-test-unit');
        const user: AuthUser = { id: 7, username: 'tester', role: role as Role, unitId: unit === undefined ? undefined : Number(unit) };
        res.locals.user = user;
      }
      next();
    });
    api.use(createTicketRoutes({ tickets: f.service }));
    app.use('/api/v1', api);
    app.use(notFoundHandler);
    app.use(apiErrorHandler(silentLogger()));
    server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;
  });

  afterEach(async () => {
    sinon.restore();
    await new Promise((resolve) => server.close(resolve));
  });

  async function post(code: string, action: string, role: Role, body: Json, unit?: number): Promise<{ status: number; body: Json }> {
    const headers: Record<string, string> = { 'content-type': 'application/json', 'x-test-role': role };
    if (unit !== undefined) headers['x-test-unit'] = String(unit);
    const res = await fetch(`${base}/tickets/${code}/actions/${action}`, { method: 'POST', headers, body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as Json };
  }

  it('when a unit signs, starts and replies with the version it read, each answers 200 with the updated ticket and events', async () => {
    const t = await f.order();
    const signed = await post(t.code, 'sign', 'unit', { version: 1 }, f.gnbId);
    expect(signed.status).to.equal(200);
    expect(signed.body).to.include({ state: 'signed', version: 2, light: 'yellow', overdueWorkingDays: 0, replyBy: '2026-11-23T02:00:00.000Z' });
    expect((signed.body.events as Json[]).map((e) => e.type)).to.deep.equal(['created', 'dispatched', 'signed']);
    expect((await post(t.code, 'start', 'unit', { version: 2 }, f.gnbId)).body.state).to.equal('in-progress');
    const replied = await post(t.code, 'reply', 'unit', { version: 3, ...GOOD_REPLY }, f.gnbId);
    expect(replied.body).to.include({ state: 'replied', repliedByName: '李明', light: null });
    const got = await fetch(`${base}/tickets/${t.code}`, { headers: { 'x-test-role': 'agent' } });
    expect(((await got.json()) as Json).version).to.equal(4);
  });

  it('when the body is bad, it answers 400 naming each field', async () => {
    const t = await f.order();
    const res = await post(t.code, 'return', 'unit', { reason: '不归', extra: 1 }, f.gnbId);
    expect(res.status).to.equal(400);
    expect((res.body.error as { issues: Json[] }).issues).to.deep.equal([
      { path: 'version', message: 'is required' },
      { path: 'reason', message: 'must be at least 5 characters' },
      { path: 'return', message: 'unknown field extra' },
    ]);
  });

  it('when the state or version does not fit, it answers 409 with INVALID_TRANSITION or VERSION_CONFLICT', async () => {
    const t = await f.order();
    const invalid = await post(t.code, 'reply', 'unit', { version: 1, ...GOOD_REPLY }, f.gnbId);
    expect(invalid.status).to.equal(409);
    expect(invalid.body.error).to.deep.equal({ code: 'INVALID_TRANSITION', message: `ticket ${t.code} is dispatched: cannot reply` });
    const stale = await post(t.code, 'sign', 'unit', { version: 7 }, f.gnbId);
    expect(stale.status).to.equal(409);
    expect((stale.body.error as Json).code).to.equal('VERSION_CONFLICT');
  });

  it('when a role may not take the action, it answers 403; another unit’s order or an unknown code is 404', async () => {
    const t = await f.order();
    expect((await post(t.code, 'sign', 'agent', { version: 1 })).status).to.equal(403);
    expect((await post(t.code, 'review-approve', 'unit', { version: 1 }, f.gnbId)).status).to.equal(403);
    expect((await post(t.code, 'return', 'supervisor', { version: 1, reason: '不属于本单位职责' })).status).to.equal(403);
    expect((await post(t.code, 'sign', 'unit', { version: 1 }, f.cgwId)).status).to.equal(404);
    expect((await post('20261120-999999', 'sign', 'supervisor', { version: 1 })).status).to.equal(404);
    expect((await post(t.code, 'fly', 'supervisor', { version: 1 })).status).to.equal(404);
  });

  it('when hotline roles finish an order, review, survey and reopen answer with the counts', async () => {
    const t = await f.order();
    await f.act(t.code, 'sign', {}, f.unitUser);
    await f.act(t.code, 'reply', GOOD_REPLY, f.unitUser);
    expect((await post(t.code, 'review-approve', 'supervisor', { version: 3 })).body.state).to.equal('reviewed');
    const surveyed = await post(t.code, 'survey', 'agent', { version: 4, satisfaction: '满意', resolution: '已解决' });
    expect(surveyed.body).to.include({ state: 'closed', satisfaction: 'satisfied', resolution: 'resolved' });
    const reopened = await post(t.code, 'reopen', 'admin', { version: 5, reason: '市民再次来电反映' });
    expect(reopened.body).to.include({ state: 'dispatched', reopenCount: 1, dispatchCount: 1 });
  });

  it('when the list is asked for one light, it filters; a bad light is 400', async () => {
    const t = await f.order();
    const list = async (q: string) => fetch(`${base}/tickets?${q}`, { headers: { 'x-test-role': 'supervisor' } });
    const yellow = (await (await list('light=yellow')).json()) as { items: Json[] };
    expect(yellow.items.map((i) => i.code)).to.deep.equal([t.code]);
    const red = (await (await list('light=red')).json()) as { items: Json[] };
    expect(red.items).to.deep.equal([]);
    const bad = await list('light=blue');
    expect(bad.status).to.equal(400);
    expect((((await bad.json()) as Json).error as { issues: Json[] }).issues[0]).to.include({ path: 'light' });
  });
});
