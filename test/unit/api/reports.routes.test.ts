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
    const counts = { offered: 4, answered: 3, answeredWithinSl: 2, abandoned: 1, shortAbandons: 0, waitSumMs: 30_000, handled: 3, handleSumMs: 300_000 };
    const queries: ReportQueries = {
      queueCounts: (p) => {
        periods.push(p);
        return Promise.resolve(counts);
      },
      queueCountsByDay: (days) => {
        periods.push(...days);
        return Promise.resolve(days.map(() => counts));
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

  describe('the daily series (/reports/daily)', () => {
    it('when a week is asked, it answers a row per local day, each counted over that day alone', async () => {
      const res = await get('/daily?from=2026-11-16&to=2026-11-23', 'supervisor');
      expect(res.status).to.equal(200);
      const body = JSON.parse(res.body) as { from: string; to: string; days: { day: string; from: string; to: string; offered: number; answerRate: number; serviceLevel: number }[] };
      expect(body).to.deep.include({ from: '2026-11-15T16:00:00.000Z', to: '2026-11-22T16:00:00.000Z' });
      expect(body.days.map((d) => d.day)).to.deep.equal(['2026-11-16', '2026-11-17', '2026-11-18', '2026-11-19', '2026-11-20', '2026-11-21', '2026-11-22']);
      expect(body.days[4]).to.deep.include({ from: '2026-11-19T16:00:00.000Z', to: '2026-11-20T16:00:00.000Z', offered: 4, answerRate: 0.75, serviceLevel: 0.5 });
      expect(periods.map((p) => [p.from.toISOString(), p.to.toISOString()])).to.deep.equal(
        body.days.map((d) => [d.from, d.to]),
      );
    });

    it('when the period starts and ends inside days, the first and last rows are those parts of their days', async () => {
      const res = await get('/daily?from=2026-11-20T12:00&to=2026-11-21T06:00', 'admin');
      const body = JSON.parse(res.body) as { days: { day: string; from: string; to: string }[] };
      expect(body.days).to.deep.equal([
        { ...body.days[0], day: '2026-11-20', from: '2026-11-20T04:00:00.000Z', to: '2026-11-20T16:00:00.000Z' },
        { ...body.days[1], day: '2026-11-21', from: '2026-11-20T16:00:00.000Z', to: '2026-11-20T22:00:00.000Z' },
      ]);
    });

    it('when no period is given, it is today alone', async () => {
      const body = JSON.parse((await get('/daily', 'supervisor')).body) as { days: { day: string }[] };
      expect(body.days.map((d) => d.day)).to.deep.equal(['2026-11-20']);
    });

    it('when the period touches more than 366 days, it answers 400 naming to, and 366 days are answered', async () => {
      const tooLong = await get('/daily?from=2025-01-01&to=2026-01-03', 'supervisor');
      expect(tooLong.status).to.equal(400);
      const issues = (JSON.parse(tooLong.body) as { error: { issues: { path: string; message: string }[] } }).error.issues;
      expect(issues.map((i) => i.path)).to.deep.equal(['to']);
      expect(issues[0]?.message).to.contain('366');
      expect(periods).to.deep.equal([]);
      const year = await get('/daily?from=2024-01-01&to=2025-01-01', 'supervisor');
      expect(year.status).to.equal(200);
      expect((JSON.parse(year.body) as { days: unknown[] }).days).to.have.length(366);
    });

    it('when a date is malformed, it answers 400 naming from', async () => {
      const bad = await get('/daily?from=2026-13-01', 'supervisor');
      expect(bad.status).to.equal(400);
      expect(bad.body).to.contain('"from"');
    });

    it('when an agent or a unit asks, it is refused with 403, and 401 signed out', async () => {
      expect((await get('/daily', 'agent')).status).to.equal(403);
      expect((await get('/daily', 'unit')).status).to.equal(403);
      expect((await get('/daily')).status).to.equal(401);
    });

    it('when CSV is asked, it is a row per day under Chinese and English headers', async () => {
      const res = await get('/daily?from=2026-11-19&to=2026-11-21&format=csv', 'supervisor');
      expect(res.status).to.equal(200);
      expect(res.body.split('\r\n')).to.deep.equal([
        '日期 day,呼入排队量 offered,人工接通量 answered,15秒内接通量 answeredWithinSl,放弃量 abandoned,接通率 answerRate,15秒接通率 serviceLevel,放弃率 abandonRate,平均应答时长(秒) asaS,平均处理时长(秒) ahtS',
        '2026-11-19,4,3,2,1,0.75,0.5,0.25,10,100',
        '2026-11-20,4,3,2,1,0.75,0.5,0.25,10,100',
        '',
      ]);
    });
  });

  it('when CSV is asked, a field holding a comma is quoted', async () => {
    const res = await get('/units', 'supervisor', 'text/csv');
    expect(res.status).to.equal(200);
    expect(res.body.split('\r\n')[1]).to.equal(',U1,"城关街道, 东区",,0,0,0,0,,0,,,0,0');
  });
});
