import { expect } from 'chai';
import { PHONE_FIELD_MESSAGE } from '../../../src/tickets/field-schemas.js';
import express from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import sinon from 'sinon';
import { apiErrorHandler, notFoundHandler } from '../../../src/api/api-error-handler.js';
import type { AuthUser, Role } from '../../../src/api/auth-context.js';
import { createCategoryRoutes } from '../../../src/api/categories.routes.js';
import { createTicketRoutes } from '../../../src/api/tickets.routes.js';
import { createUnitRoutes } from '../../../src/api/units.routes.js';
import { silentLogger } from '../../../src/logging/logger.js';
import type { Clock } from '../../../src/shared/clock.js';
import { CategoryService } from '../../../src/tickets/category-service.js';
import { TicketService } from '../../../src/tickets/ticket-service.js';
import { UnitService } from '../../../src/tickets/unit-service.js';
import { WeekendOnlyCalendar } from '../../../src/tickets/working-day-calendar.js';
import { MemoryCategories, MemoryTickets, MemoryUnits, smallCatalog } from '../tickets/memory-ticket-store.js';

type Json = Record<string, unknown>;

describe('ticket, category and unit routes', () => {
  let server: Server;
  let base: string;
  let tickets: MemoryTickets;
  let ids: Record<string, number>;
  let gnbId: number;
  let cgwId: number;

  beforeEach(async () => {
    tickets = new MemoryTickets();
    const units = new MemoryUnits();
    const categories = new MemoryCategories();
    const catalog = await smallCatalog(units, categories);
    ids = catalog.ids;
    gnbId = catalog.gnb.id;
    cgwId = catalog.cgw.id;
    const clock: Clock = { now: () => Date.parse('2026-11-20T02:00:00.000Z'), setTimeout: sinon.stub(), clearTimeout: sinon.stub() };
    const ticketService = new TicketService({ tickets, categories, units, calendar: new WeekendOnlyCalendar('Asia/Shanghai'), clock, timeZone: 'Asia/Shanghai', logger: silentLogger() });
    const app = express();
    app.set('query parser', 'simple');
    app.use(express.json());
    const api = express.Router();
    // Stands in for the authentication middleware: the test says who is signed in.
    api.use((req, res, next) => {
      const role = req.header('x-test-role');
      if (role !== undefined) {
        const unit = req.header('x-test-unit');
        const user: AuthUser = { id: 7, username: 'tester', role: role as Role, unitId: unit === undefined ? undefined : Number(unit) };
        res.locals.user = user;
      }
      next();
    });
    api.use(createTicketRoutes({ tickets: ticketService }));
    api.use(createCategoryRoutes({ categories: new CategoryService({ categories, units }) }));
    api.use(createUnitRoutes({ units: new UnitService({ units }) }));
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

  async function call(method: string, path: string, role: Role | undefined, body?: unknown, unit?: number): Promise<{ status: number; body: Json }> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (role !== undefined) headers['x-test-role'] = role;
    if (unit !== undefined) headers['x-test-unit'] = String(unit);
    const res = await fetch(`${base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as Json };
  }

  const form = (over: Json = {}): Json => ({
    requestType: '求助',
    categoryId: ids.cold,
    content: '家中室温只有十四度，暖气不热',
    address: '朝阳门北大街3号楼',
    residentPhone: '13812345678',
    ...over,
  });

  it('when an agent posts a good form, it answers 201 with the full ticket and its events', async () => {
    const res = await call('POST', '/tickets', 'agent', form({ callId: 'abc@10.0.0.1' }));
    expect(res.status).to.equal(201);
    expect(res.body).to.include({
      code: '20261120-000001',
      requestType: 'help',
      requestTypeName: '求助',
      state: 'dispatched',
      currentUnitId: gnbId,
      content: '家中室温只有十四度，暖气不热',
      replyBy: '2026-11-23T02:00:00.000Z',
      createdBy: 7,
    });
    const events = res.body.events as Json[];
    expect(events.map((e) => [e.type, e.channel, e.actorRole])).to.deep.equal([
      ['created', 'phone', 'agent'],
      ['dispatched', 'phone', 'agent'],
    ]);
  });

  it('when the form is bad, it answers 400 listing each bad field and stores nothing', async () => {
    const res = await call('POST', '/tickets', 'agent', { requestType: 'complaint', categoryId: ids.cold, content: '太吵了', residentPhone: '12' });
    expect(res.status).to.equal(400);
    const error = res.body.error as { code: string; issues: Json[] };
    expect(error.code).to.equal('VALIDATION_FAILED');
    expect(error.issues).to.deep.equal([
      { path: 'content', message: 'must be at least 10 characters' },
      { path: 'residentPhone', message: PHONE_FIELD_MESSAGE },
      { path: 'address', message: 'is required for complaint (投诉举报): say where' },
    ]);
    const unknown = await call('POST', '/tickets', 'agent', form({ categoryId: 404 }));
    expect(unknown.status).to.equal(400);
    expect((unknown.body.error as { issues: Json[] }).issues).to.deep.equal([{ path: 'categoryId', message: 'names no category (404)' }]);
    expect(tickets.rows).to.have.length(0);
  });

  it('when a unit user or a signed-out caller posts a ticket, it answers 403 and 401', async () => {
    expect((await call('POST', '/tickets', 'unit', form(), gnbId)).status).to.equal(403);
    expect((await call('POST', '/tickets', undefined, form())).status).to.equal(401);
    expect((await call('GET', '/tickets', undefined)).status).to.equal(401);
    expect(tickets.rows).to.have.length(0);
  });

  it('when tickets are read, a unit user sees only its unit’s and a missing code is 404 JSON', async () => {
    const ours = (await call('POST', '/tickets', 'supervisor', form())).body;
    const theirs = (await call('POST', '/tickets', 'admin', form({ handlingUnitId: cgwId }))).body;
    const list = await call('GET', '/tickets?phone=13812345678&limit=5', 'unit', undefined, gnbId);
    expect(list.status).to.equal(200);
    expect(list.body).to.include({ total: 1, limit: 5, offset: 0 });
    expect((list.body.items as Json[]).map((t) => t.code)).to.deep.equal([ours.code]);
    expect((await call('GET', `/tickets/${String(theirs.code)}`, 'unit', undefined, gnbId)).status).to.equal(404);
    const got = await call('GET', `/tickets/${String(ours.code)}`, 'unit', undefined, gnbId);
    expect(got.status).to.equal(200);
    // The second order repeats the first (same caller, same category): linked on both.
    expect((got.body.events as Json[]).map((e) => e.type)).to.deep.equal(['created', 'dispatched', 'linked-duplicate']);
    expect(got.body).to.include({ light: 'yellow', overdueWorkingDays: 0, version: 1, dispatchCount: 1 });
    const agentList = await call('GET', '/tickets?phone=13812345678', 'agent');
    expect(agentList.body.total).to.equal(2);
    const missing = await call('GET', '/tickets/20261120-999999', 'agent');
    expect(missing.status).to.equal(404);
    expect((missing.body.error as Json).code).to.equal('NOT_FOUND');
    const badQuery = await call('GET', '/tickets?limit=0&phone=x', 'agent');
    expect(badQuery.status).to.equal(400);
    expect((badQuery.body.error as { issues: Json[] }).issues).to.deep.equal([{ path: 'limit', message: 'must be at least 1' }]);
  });

  it('when the list query names a bad state, sort, extension or unit, it answers 400 naming each one', async () => {
    const res = await call('GET', '/tickets?state=dispatched,signd,&sort=due&extension=approved&unitId=x', 'agent');
    expect(res.status).to.equal(400);
    const states = 'created, dispatched, signed, in-progress, returned, replied, reviewed, surveyed, closed';
    expect((res.body.error as { issues: Json[] }).issues).to.deep.equal([
      { path: 'state', message: `names an unknown state "signd": use ${states}` },
      { path: 'state', message: `names an unknown state "": use ${states}` },
      { path: 'unitId', message: 'must be a whole number' },
      { path: 'extension', message: 'must be pending, given once' },
      { path: 'sort', message: 'must be one of created, deadline, given once' },
    ]);
    const twice = await call('GET', '/tickets?sort=deadline&sort=created', 'agent');
    expect(twice.status).to.equal(400);
    expect((twice.body.error as { issues: Json[] }).issues).to.deep.equal([{ path: 'sort', message: 'must be one of created, deadline, given once' }]);
    expect((await call('GET', '/tickets?unitId=0', 'agent')).status).to.equal(400);
  });

  it('when the list is filtered by state, unit and pending extension and sorted by deadline, it answers those orders in that order', async () => {
    // Friday 10:00 Shanghai. a: sign by Monday 10:00; b: emergency, sign within 1 h; c: 直办, closed, no deadline;
    // d: 施工噪音 (CGW), reply within 24 h so sign by Saturday 10:00; e, f: signed, reply by Monday 10:00 / within 2 h.
    const a = (await call('POST', '/tickets', 'agent', form())).body;
    const b = (await call('POST', '/tickets', 'agent', form({ urgency: 'emergency' }))).body;
    const c = (await call('POST', '/tickets', 'agent', form({ requestType: 'consult', answeredOnCall: true, answer: '供暖季室温标准为18℃，已告知' }))).body;
    const d = (await call('POST', '/tickets', 'agent', form({ categoryId: ids.building, residentPhone: '13900001111' }))).body;
    const e = (await call('POST', '/tickets', 'agent', form())).body;
    const f = (await call('POST', '/tickets', 'agent', form({ urgency: 'emergency' }))).body;
    for (const t of [e, f]) expect((await call('POST', `/tickets/${String(t.code)}/actions/sign`, 'unit', { version: 1 }, gnbId)).status).to.equal(200);
    const asked = await call('POST', `/tickets/${String(e.code)}/actions/request-extension`, 'unit', { version: 2, days: 2, reason: '需要协调供热公司检修管线' }, gnbId);
    expect(asked.status).to.equal(200);
    const codes = (res: { body: Json }) => (res.body.items as Json[]).map((t) => t.code);

    const byDeadline = await call('GET', '/tickets?sort=deadline', 'agent');
    expect(codes(byDeadline)).to.deep.equal([b.code, f.code, d.code, a.code, e.code, c.code]);
    expect(codes(await call('GET', '/tickets', 'agent'))).to.deep.equal([f.code, e.code, d.code, c.code, b.code, a.code]);
    const paged = await call('GET', '/tickets?sort=deadline&limit=2&offset=2', 'agent');
    expect(paged.body).to.include({ total: 6, limit: 2, offset: 2 });
    expect(codes(paged)).to.deep.equal([d.code, a.code]);

    expect(codes(await call('GET', '/tickets?state=signed,closed&sort=deadline', 'supervisor'))).to.deep.equal([f.code, e.code, c.code]);
    expect(codes(await call('GET', `/tickets?unitId=${cgwId}`, 'agent'))).to.deep.equal([d.code]);
    expect(codes(await call('GET', '/tickets?extension=pending', 'supervisor'))).to.deep.equal([e.code]);
    // A unit user asking for another unit still gets only its own unit's orders.
    const unitView = await call('GET', `/tickets?unitId=${cgwId}&sort=deadline`, 'unit', undefined, gnbId);
    expect(unitView.status).to.equal(200);
    expect(codes(unitView)).to.deep.equal([b.code, f.code, a.code, e.code]);
    expect(codes(await call('GET', '/tickets?state=dispatched', 'unit', undefined, cgwId))).to.deep.equal([d.code]);
  });

  it('when anyone signed in reads categories, it gets the tree with default unit codes', async () => {
    const res = await call('GET', '/categories', 'unit', undefined, gnbId);
    expect(res.status).to.equal(200);
    const heating = (res.body.items as Json[]).find((c) => c.name === '供暖');
    expect(heating).to.include({ defaultUnitCode: 'GNB', replyDays: 4 });
    expect((heating?.children as Json[]).map((c) => c.name)).to.deep.equal(['室温不达标']);
  });

  it('when an admin adds and edits a category, it checks the parent and unit and others are refused', async () => {
    expect((await call('POST', '/categories', 'agent', { code: '050102', name: '暖气漏水' })).status).to.equal(403);
    const bad = await call('POST', '/categories', 'admin', { parentId: 999, code: '050102', name: '暖气漏水', defaultUnitCode: 'NOPE' });
    expect((bad.body.error as { issues: Json[] }).issues).to.deep.equal([
      { path: 'parentId', message: 'names no category (999)' },
      { path: 'defaultUnitCode', message: 'names no handling unit (NOPE)' },
    ]);
    const created = await call('POST', '/categories', 'admin', { parentId: ids.cold, code: '050102', name: '暖气漏水', replyHours: 24 });
    expect(created.status).to.equal(201);
    expect(created.body).to.include({ level: 3, name: '暖气漏水', replyHours: 24, replyDays: null, defaultUnitCode: null });
    const patched = await call('PATCH', `/categories/${String(created.body.id)}`, 'admin', { replyDays: 2, defaultUnitCode: 'CGW' });
    expect(patched.body).to.include({ replyDays: 2, replyHours: null, defaultUnitCode: 'CGW' });
    const taken = await call('POST', '/categories', 'admin', { code: '050102', name: '重复' });
    expect(taken.status).to.equal(409);
    expect((taken.body.error as { issues: Json[] }).issues).to.deep.equal([{ path: 'code', message: 'is already taken' }]);
  });

  it('when an admin adds and edits a unit, it validates the liaison fields and others are refused', async () => {
    const unit = { code: 'JW', name: '区教育委员会', kind: '委办局', liaisonName: '孙磊', liaisonPhone: '01065120008', liaisonSipUri: 'sip:8108@[2001:db8::8]:5062' };
    expect((await call('POST', '/units', 'supervisor', unit)).status).to.equal(403);
    const created = await call('POST', '/units', 'admin', unit);
    expect(created.status).to.equal(201);
    expect(created.body).to.include({ code: 'JW', name: '区教育委员会', kind: 'bureau', kindName: '委办局', active: true });
    const bad = await call('PATCH', `/units/${String(created.body.id)}`, 'admin', { liaisonSipUri: 'sip:8108@jw.example', kind: 'school', code: 'X' });
    expect((bad.body.error as { issues: Json[] }).issues).to.deep.equal([
      { path: 'kind', message: 'must be one of street (街道), township (乡镇), bureau (委办局), enterprise (企业)' },
      { path: 'liaisonSipUri', message: 'must be a SIP URI with an IP address, such as sip:8001@192.168.10.21:5060' },
      { path: 'unit', message: 'unknown field code' },
    ]);
    const patched = await call('PATCH', `/units/${String(created.body.id)}`, 'admin', { active: false, liaisonSipUri: null });
    expect(patched.body).to.include({ active: false, liaisonSipUri: null });
    const list = await call('GET', '/units', 'agent');
    expect((list.body.items as Json[]).map((u) => u.code)).to.deep.equal(['GNB', 'CGW', 'JW']);
    expect((await call('PATCH', '/units/99', 'admin', { active: false })).status).to.equal(404);
    const taken = await call('POST', '/units', 'admin', unit);
    expect(taken.status).to.equal(409);
    expect((taken.body.error as { issues: Json[] }).issues).to.deep.equal([{ path: 'code', message: 'is already taken' }]);
  });

  it('when an admin sets a liaison SIP URI whose user part is a number the dial plan refuses, it is refused with a 400 naming liaisonSipUri', async () => {
    const unit = { code: 'JW', name: '区教育委员会', kind: '委办局', liaisonName: '孙磊', liaisonPhone: '01065120008', liaisonSipUri: 'sip:+19005550199@10.0.0.5' };
    const refused = await call('POST', '/units', 'admin', unit);
    expect(refused.status).to.equal(400);
    expect((refused.body.error as { issues: Json[] }).issues).to.deep.equal([
      { path: 'liaisonSipUri', message: 'calls a number the dial plan refuses: an international number (DIAL_PLAN_DENY "+!")' },
    ]);
    const created = await call('POST', '/units', 'admin', { ...unit, liaisonSipUri: 'sip:liaison@10.0.0.5' });
    expect(created.status).to.equal(201);
    const patched = await call('PATCH', `/units/${String(created.body.id)}`, 'admin', { liaisonSipUri: ' sip:110@10.0.0.5;user=phone' });
    expect(patched.status).to.equal(400);
    expect((patched.body.error as { issues: Json[] }).issues).to.deep.equal([
      { path: 'liaisonSipUri', message: 'calls a number the dial plan refuses: an emergency or special service number is never dialled' },
    ]);
    expect((await call('PATCH', `/units/${String(created.body.id)}`, 'admin', { liaisonSipUri: 'sip:8108@10.0.0.5' })).status).to.equal(200);
  });
});
