import { expect } from 'chai';
import express from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import sinon from 'sinon';
import { apiErrorHandler, notFoundHandler } from '../../src/api/api-error-handler.js';
import type { AuthUser, Role } from '../../src/api/auth-context.js';
import { createContainmentReportRoutes } from '../../src/api/containment-reports.routes.js';
import { SequelizeContainmentQueries } from '../../src/db/containment-queries.js';
import { SequelizeCallRecordRepository } from '../../src/db/sequelize-call-record-repository.js';
import { silentLogger } from '../../src/logging/logger.js';
import { ContainmentReports } from '../../src/metrics/containment-reports.js';
import type { Clock } from '../../src/shared/clock.js';
import type { DirectReportJson, IvrReportJson } from '../../src/shared/wire/ivr-reports.js';
import { openTestDatabase, testDbKind, type TestDatabase } from '../support/test-database.js';

/** The period is 2026-11-20 in Asia/Shanghai = [2026-11-19T16:00Z, 2026-11-20T16:00Z). */
const D = (hhmm: string): Date => new Date(`2026-11-20T${hhmm}:00.000Z`);
const NOW = new Date('2026-11-21T02:00:00.000Z');

/**
 * Calls, through the call record repository (the spool's path to the table), by hand:
 * k1 k2 consult queue · k3 left in the welcome · k4 heard the order state and hung up (self-served) ·
 * k5 heard it then asked for an agent · k6 ran another flow · k7 started the day before (out) ·
 * k8 outbound (out).
 */
const CALLS = [
  { id: 'k1', at: D('01:00'), path: 'welcome,main-menu,consult', outcome: 'queue', self: false, flow: 'default' },
  { id: 'k2', at: D('02:00'), path: 'welcome,main-menu,consult', outcome: 'queue', self: false, flow: 'default' },
  { id: 'k3', at: D('03:00'), path: 'welcome', outcome: 'caller-hangup', self: false, flow: 'default' },
  { id: 'k4', at: D('04:00'), path: 'welcome,main-menu,progress,progress-read', outcome: 'caller-hangup', self: true, flow: 'default' },
  { id: 'k5', at: D('05:00'), path: 'welcome,main-menu,progress,progress-read,progress-agent', outcome: 'queue', self: false, flow: 'default' },
  { id: 'k6', at: D('06:00'), path: 'x', outcome: 'hangup', self: false, flow: 'night' },
  { id: 'k7', at: new Date('2026-11-19T15:00:00.000Z'), path: 'welcome', outcome: 'caller-hangup', self: false, flow: 'default' },
  { id: 'k8', at: D('07:00'), path: 'welcome', outcome: 'caller-hangup', self: false, flow: 'default', outbound: true },
];

describe(`IVR containment and 直办率 reports on ${testDbKind()}`, () => {
  let testDb: TestDatabase;
  let server: Server;
  let base: string;
  const clock: Clock = { now: () => NOW.getTime(), setTimeout: sinon.stub(), clearTimeout: sinon.stub() };

  before(async () => {
    testDb = await openTestDatabase();
    const records = new SequelizeCallRecordRepository(testDb.db.sequelize);
    for (const c of CALLS) {
      await records.create({ callId: c.id, direction: c.outbound === true ? 'outbound' : 'inbound', from: '13900000000', to: '12345', startedAt: c.at });
      await records.update(c.id, { endedAt: new Date(c.at.getTime() + 60_000), ivrPath: c.path, ivrFlow: c.flow, ivrOutcome: c.outcome, ivrSelfServed: c.self, ivrSpoken: c.self ? '工单已答复' : null });
    }
    const qi = testDb.db.sequelize.getQueryInterface();
    const ts = { created_at: NOW, updated_at: NOW };
    await qi.bulkInsert('categories', [
      { id: 1, parent_id: null, code: 'A', name: '城乡建设', level: 1, ...ts },
      { id: 2, parent_id: 1, code: 'A01', name: '供水', level: 2, ...ts },
      { id: 3, parent_id: 1, code: 'A02', name: '道路', level: 2, ...ts },
    ]);
    // 供水: 3 received, 2 直办; 道路: 1 received, 0 直办; one 供水 order of the day before (out).
    const order = (id: number, category: number, direct: boolean, created: Date): Record<string, unknown> => ({
      id, code: `20261120-${String(id).padStart(6, '0')}`, request_type: 'consult', category_id: category, content: '内容', resident_phone: '13900000000', urgency: 'normal',
      answered_on_call: direct, handling_unit_id: null, current_unit_id: null, state: direct ? 'closed' : 'created', sign_by: null, reply_by: null, closed_at: null, version: 1, created_by: 7, created_at: created, updated_at: created,
    });
    await qi.bulkInsert('tickets', [order(1, 2, true, D('01:00')), order(2, 2, true, D('02:00')), order(3, 2, false, D('03:00')), order(4, 3, false, D('04:00')), order(5, 2, true, new Date('2026-11-19T10:00:00Z'))]);

    const reports = new ContainmentReports({
      queries: new SequelizeContainmentQueries(testDb.db.sequelize),
      clock,
      timeZone: 'Asia/Shanghai',
      flow: () => ({ name: 'default', nodes: [{ id: 'welcome', type: 'play' }, { id: 'main-menu', type: 'menu' }, { id: 'consult', type: 'queue' }, { id: 'progress', type: 'order-status' }, { id: 'progress-read', type: 'speak' }, { id: 'progress-agent', type: 'queue' }, { id: 'goodbye', type: 'hangup' }] }),
    });
    const app = express();
    app.set('query parser', 'simple');
    const api = express.Router();
    api.use((req, res, next) => {
      const role = req.header('x-test-role');
      if (role !== undefined) res.locals.user = { id: 1, username: 'boss', role: role as Role } satisfies AuthUser;
      next();
    });
    api.use(createContainmentReportRoutes({ reports }));
    app.use('/api/v1', api);
    app.use(notFoundHandler);
    app.use(apiErrorHandler(silentLogger()));
    server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/reports`;
  });

  after(async () => {
    await new Promise((resolve) => server.close(resolve));
    await testDb.drop();
  });

  async function get(path: string, role = 'supervisor'): Promise<{ status: number; body: unknown }> {
    const res = await fetch(`${base}${path}`, { headers: { 'x-test-role': role } });
    return { status: res.status, body: await res.json() };
  }

  it('when the IVR report is asked for the day, it counts per node of the flow in service what was worked out by hand', async () => {
    const res = await get('/ivr?from=2026-11-20&to=2026-11-21');
    const { status } = res;
    const body = res.body as IvrReportJson;
    expect(status).to.equal(200);
    expect(body).to.deep.include({ flow: 'default', entered: 5, selfServed: 1, queued: 3, left: 2, selfServiceRate: 0.2, containmentRate: 0.4 });
    const row = (node: string) => body.nodes.find((r) => r.node === node);
    expect(body.nodes.map((r) => r.node)).to.deep.equal(['welcome', 'main-menu', 'consult', 'progress', 'progress-read', 'progress-agent', 'goodbye']);
    expect(row('welcome')).to.deep.include({ type: 'play', reached: 5, left: 1, queued: 3, selfServed: 1, leftRate: 0.2 });
    expect(row('progress-read')).to.deep.include({ reached: 2, left: 1, queued: 1, selfServed: 1 });
    expect(row('goodbye')).to.deep.include({ reached: 0, leftRate: null });
  });

  it('when another flow is asked for, it counts only that flow\'s calls (with no node order)', async () => {
    const body = (await get('/ivr?from=2026-11-20&to=2026-11-21&flow=night')).body as IvrReportJson;
    expect(body).to.deep.include({ flow: 'night', entered: 1, selfServed: 0 });
    expect(body.nodes).to.deep.equal([{ node: 'x', type: null, reached: 1, left: 0, queued: 0, selfServed: 0, ended: 1, leftRate: 0 }]);
  });

  it('when the summary\'s self-service figures are read, they cover every inbound flow of the period', async () => {
    const reports = new ContainmentReports({ queries: new SequelizeContainmentQueries(testDb.db.sequelize), clock, timeZone: 'Asia/Shanghai', flow: () => undefined });
    const f = await reports.selfService({ from: new Date('2026-11-19T16:00:00Z'), to: new Date('2026-11-20T16:00:00Z') });
    expect(f).to.deep.equal({ entered: 6, selfServed: 1, queued: 3, left: 2, selfServiceRate: 1 / 6, containmentRate: 3 / 6 });
  });

  it('when 直办率 is asked for the day, it gives direct ÷ received per category and overall', async () => {
    const res = await get('/direct?from=2026-11-20&to=2026-11-21');
    const { status } = res;
    const body = res.body as DirectReportJson;
    expect(status).to.equal(200);
    expect(body).to.deep.include({ received: 4, direct: 2, directRate: 0.5 });
    expect(body.items.map((r) => [r.path, r.received, r.direct, r.directRate])).to.deep.equal([
      ['城乡建设 / 供水', 3, 2, 2 / 3],
      ['城乡建设 / 道路', 1, 0, 0],
    ]);
  });

  it('when an agent asks, or the flow name is not a name, it refuses (403, 400 naming the field)', async () => {
    expect((await get('/ivr', 'agent')).status).to.equal(403);
    const bad = await get('/ivr?flow=a%20b');
    expect(bad.status).to.equal(400);
    expect(JSON.stringify(bad.body)).to.include('flow');
  });

  it('when a call record is read back, it carries the IVR flow, outcome, self-service and the spoken text', async () => {
    const record = await new SequelizeCallRecordRepository(testDb.db.sequelize).get('k4');
    expect(record).to.deep.include({ ivrFlow: 'default', ivrOutcome: 'caller-hangup', ivrSelfServed: true, ivrSpoken: '工单已答复' });
  });
});
