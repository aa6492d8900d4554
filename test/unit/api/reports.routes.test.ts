import { expect } from 'chai';
import express from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import sinon from 'sinon';
import { apiErrorHandler, notFoundHandler } from '../../../src/api/api-error-handler.js';
import type { AuthUser, Role } from '../../../src/api/auth-context.js';
import { createReportRoutes } from '../../../src/api/reports.routes.js';
import { silentLogger } from '../../../src/logging/logger.js';
import { EMPTY_ORDER_COUNTS } from '../../../src/metrics/order-metrics.js';
import type { ReportPeriod, ReportQueries } from '../../../src/metrics/report-queries.js';
import { ReportService } from '../../../src/metrics/report-service.js';

describe('report routes', () => {
  let server: Server;
  let base: string;
  let periods: ReportPeriod[];

  beforeEach(async () => {
    periods = [];
    const queries: ReportQueries = {
      queueCounts: (p) => {
        periods.push(p);
        return Promise.resolve({ offered: 4, answered: 3, answeredWithinSl: 2, abandoned: 1, shortAbandons: 0, waitSumMs: 30_000, handled: 3, handleSumMs: 300_000 });
      },
      orderCounts: () => Promise.resolve({ ...EMPTY_ORDER_COUNTS, received: 2 }),
      unitOrderCounts: () => Promise.resolve([]),
      listUnits: () => Promise.resolve([{ id: 1, code: 'U1', name: '城关街道, 东区', active: true }]),
      categoryCounts: () => Promise.resolve([]),
      listCategories: () => Promise.resolve([]),
    };
    const clock = { now: () => Date.parse('2026-11-20T02:00:00.000Z'), setTimeout: sinon.stub(), clearTimeout: sinon.stub() };
    const app = express();
    app.set('query parser', 'simple');
    const api = express.Router();
    api.use((req, res, next) => {
      const role = req.header('x-test-role');
      if (role !== undefined) res.locals.user = { id: 1, username: 'u', role: role as Role } satisfies AuthUser;
      next();
    });
    api.use(createReportRoutes({ reports: new ReportService({ queries, clock, timeZone: 'Asia/Shanghai' }) }));
    app.use('/api/v1', api);
    app.use(notFoundHandler);
    app.use(apiErrorHandler(silentLogger()));
    server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/reports`;
  });

  afterEach(async () => {
    sinon.restore();
    await new Promise((resolve) => server.close(resolve));
  });

  async function get(path: string, role?: string, accept = 'application/json'): Promise<{ status: number; body: string }> {
    const headers: Record<string, string> = { accept };
    if (role !== undefined) headers['x-test-role'] = role;
    const res = await fetch(`${base}${path}`, { headers });
    return { status: res.status, body: await res.text() };
  }

  it('when no period is given, it reports today in the centre time zone', async () => {
    const res = await get('/summary', 'admin');
    expect(res.status).to.equal(200);
    expect(JSON.parse(res.body)).to.deep.include({ from: '2026-11-19T16:00:00.000Z', to: '2026-11-20T16:00:00.000Z' });
    expect(periods[0]?.from.toISOString()).to.equal('2026-11-19T16:00:00.000Z');
  });

  it('when a date is malformed or a parameter unknown, it answers 400 naming the field', async () => {
    const bad = await get('/summary?from=20.11.2026', 'supervisor');
    expect(bad.status).to.equal(400);
    expect(bad.body).to.contain('from');
    const order = await get('/units?from=2026-11-21&to=2026-11-20', 'supervisor');
    expect(order.status).to.equal(400);
    expect(order.body).to.contain('"to"');
    const unknown = await get('/categories?form=2026-11-20', 'supervisor');
    expect(unknown.status).to.equal(400);
    expect(unknown.body).to.contain('form');
  });

  it('when signed out it answers 401, and 403 for an agent or a unit', async () => {
    expect((await get('/summary')).status).to.equal(401);
    expect((await get('/units', 'agent')).status).to.equal(403);
    expect((await get('/categories', 'unit')).status).to.equal(403);
  });

  it('when CSV is asked, a field holding a comma is quoted', async () => {
    const res = await get('/units', 'supervisor', 'text/csv');
    expect(res.status).to.equal(200);
    expect(res.body.split('\r\n')[1]).to.equal(',U1,"城关街道, 东区",,0,0,0,0,,0,,,0,0');
  });
});
