import { expect } from 'chai';
import express from 'express';
import type { Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { QueryTypes } from 'sequelize';
import sinon from 'sinon';
import { apiErrorHandler, notFoundHandler } from '../../src/api/api-error-handler.js';
import type { AuthUser, Role } from '../../src/api/auth-context.js';
import { createReportRoutes } from '../../src/api/reports.routes.js';
import { AggregateReportQueries } from '../../src/db/aggregate-report-queries.js';
import { ReportAggregateRebuild } from '../../src/db/report-aggregate-rebuild.js';
import { ReportAggregates } from '../../src/db/report-aggregates.js';
import { reportSqlFiles, SequelizeReportQueries } from '../../src/db/report-queries.js';
import { silentLogger } from '../../src/logging/logger.js';
import { queueMetrics } from '../../src/metrics/queue-metrics.js';
import { ReportService, type ReportOptions } from '../../src/metrics/report-service.js';
import type { Clock } from '../../src/shared/clock.js';
import { openTestDatabase, testDbKind, type TestDatabase } from '../support/test-database.js';
import { CALLS, insertDataSet, NOW, ORDERS_EXPECTED, QUEUE_EVENTS } from '../support/report-data-set.js';

describe(`reports over a hand-built day on ${testDbKind()}`, () => {
  let testDb: TestDatabase;
  let server: Server;
  let base: string;
  let queries: SequelizeReportQueries;
  let aggregateQueries: AggregateReportQueries;
  const clock: Clock = { now: () => NOW.getTime(), setTimeout: sinon.stub(), clearTimeout: sinon.stub() };
  /** The reports as the server makes them: whole days from the per-day aggregates. */
  const service = (options: ReportOptions = {}): ReportService => new ReportService({ queries: aggregateQueries, clock, timeZone: 'Asia/Shanghai', serviceLevelS: 15, options });
  /** The same reports counted from the event log (the reference definitions, and report_call_days). */
  const eventService = (options: ReportOptions = {}): ReportService => new ReportService({ queries, clock, timeZone: 'Asia/Shanghai', serviceLevelS: 15, options });

  before(async () => {
    testDb = await openTestDatabase();
    await insertDataSet(testDb.db.sequelize.getQueryInterface());
    // With the clock: the day is settled at NOW, so every event-log report below goes through report_call_days.
    queries = new SequelizeReportQueries(testDb.db.sequelize, { clock });
    // The rows were inserted behind the repositories' back (as an import would): the aggregates are
    // rebuilt from the log, as `npm run report-aggregates` does after an import.
    const aggregates = new ReportAggregates(testDb.db.sequelize, 'Asia/Shanghai');
    const rebuild = new ReportAggregateRebuild(testDb.db.sequelize, aggregates);
    const range = await rebuild.fullRange();
    if (range === undefined) throw new Error('the data set is empty');
    await rebuild.rebuild(range);
    aggregateQueries = new AggregateReportQueries(testDb.db.sequelize, aggregates, queries);
    const app = express();
    app.set('query parser', 'simple');
    const api = express.Router();
    api.use((req, res, next) => {
      const role = req.header('x-test-role');
      if (role !== undefined) res.locals.user = { id: 1, username: 'boss', role: role as Role } satisfies AuthUser;
      next();
    });
    api.use(createReportRoutes({ reports: service() }));
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

  async function get(path: string, accept = 'application/json', role = 'supervisor'): Promise<{ status: number; type: string; text: string }> {
    const res = await fetch(`${base}${path}`, { headers: { accept, 'x-test-role': role } });
    // ignoreBOM: keep the byte-order mark in the text (fetch's text() would drop it).
    const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(await res.arrayBuffer());
    return { status: res.status, type: res.headers.get('content-type') ?? '', text };
  }

  function expectNumbers(actual: Record<string, unknown>, expected: Record<string, number>): void {
    for (const [key, value] of Object.entries(expected)) expect(actual[key], key).to.be.closeTo(value, 1e-9);
  }

  it('when the summary is asked for the day, it returns the call metrics worked out by hand', async () => {
    const res = await get('/summary?from=2026-11-20&to=2026-11-21');
    expect(res.status).to.equal(200);
    const body = JSON.parse(res.text) as { from: string; to: string; calls: Record<string, unknown>; orders: Record<string, unknown> };
    expect(body.from).to.equal('2026-11-19T16:00:00.000Z');
    expect(body.to).to.equal('2026-11-20T16:00:00.000Z');
    expectNumbers(body.calls, CALLS);
  });

  it('when the summary is asked for the day, it returns the order metrics worked out by hand', async () => {
    const body = JSON.parse((await get('/summary?from=2026-11-20&to=2026-11-21')).text) as { orders: Record<string, unknown> };
    expectNumbers(body.orders, ORDERS_EXPECTED);
  });

  it('when the SQL counts the calls, it agrees with the in-memory fold of the same rows (one definition)', async () => {
    const inPeriod = QUEUE_EVENTS.filter((e) => e.callId !== 'c10');
    const summary = await service().summary({ from: '2026-11-20', to: '2026-11-21' });
    expect(summary.calls).to.deep.equal(queueMetrics(inPeriod, { serviceLevelS: 15 }));
  });

  it('when abandons under 5 s are excluded, the service level is 4/9 (c06 3 s and c12 4 s leave the denominator)', async () => {
    const summary = await service({ excludeAbandonsUnderS: 5 }).summary({ from: '2026-11-20', to: '2026-11-21' });
    expect(summary.calls.serviceLevel).to.be.closeTo(4 / 9, 1e-9);
    expect(summary.calls.offered).to.equal(11);
  });

  it('when the complaint queue has a 75 s threshold, c08 (70 s there) is within it: 5/11', async () => {
    const summary = await service({ serviceLevelSByQueue: { complaint: 75 } }).summary({ from: '2026-11-20', to: '2026-11-21' });
    expect(summary.calls.serviceLevel).to.be.closeTo(5 / 11, 1e-9);
  });

  it('when 基本满意 weighs 0.8, the satisfaction is (2 + 0.8) / 4 = 0.7', async () => {
    const summary = await service({ satisfactionWeights: { satisfied: 1, basically: 0.8 } }).summary({ from: '2026-11-20', to: '2026-11-21' });
    expect(summary.orders.satisfactionRate).to.be.closeTo(0.7, 1e-9);
  });

  it('when the summary is asked as CSV, it is one row under Chinese and English headers, UTF-8 with a BOM', async () => {
    const res = await get('/summary?from=2026-11-20&to=2026-11-21', 'text/csv');
    expect(res.status).to.equal(200);
    expect(res.type).to.match(/^text\/csv; charset=utf-8/);
    expect(res.text.charCodeAt(0)).to.equal(0xfeff);
    const [header, row, rest] = res.text.slice(1).split('\r\n');
    expect(rest).to.equal('');
    const cells = Object.fromEntries((header ?? '').split(',').map((h, i) => [h, (row ?? '').split(',')[i]]));
    expect(cells['接通率 answerRate']).to.equal('0.6364'); // 7/11
    expect(cells['15秒接通率 serviceLevel']).to.equal('0.3636'); // 4/11
    expect(cells['放弃率 abandonRate']).to.equal('0.2727'); // 3/11
    expect(cells['平均应答时长(秒) asaS']).to.equal('25.7'); // 180/7
    expect(cells['平均处理时长(秒) ahtS']).to.equal('106');
    expect(cells['受理量 received']).to.equal('6');
    expect(cells['按期办结率 onTimeClosureRate']).to.equal('0.6');
    expect(cells['满意率 satisfactionRate']).to.equal('0.75');
    expect(cells['重复转办率 redispatchRate']).to.equal('0.2');
  });

  /*
   * Units, by hand:
   *        received (dispatched to it)  responded   closed  due  on time      rated  满意率        returned  red now
   * U1:    o2 o3 o5 o7 = 4             o2 o5 = 2   o1 o2 o5 = 3  o1 o2 = 2  o1 = 1 → 0.5  o1 满意, o2 基本 → 2/2 = 1   o3 = 1   o7 = 1
   * U2:    o3 o10 = 2                  o10 = 1     o4 o8 = 2     o3 o4 o8 = 3  o4 o8 → 2/3  o4 不满意, o8 满意 → 1/2    0        o3 o9 = 2
   * score U1 = 100 × (0.4 × 0.5 + 0.4 × 1 + 0.2 × 2/4) = 70; U2 = 100 × (0.4 × 2/3 + 0.4 × 0.5 + 0.2 × 1/2) = 56.67
   * U3 has nothing: no score, no rank; U4 is inactive with nothing: left out.
   */
  it('when the units are ranked, it returns the counts, rates and composite score worked out by hand', async () => {
    const body = JSON.parse((await get('/units?from=2026-11-20&to=2026-11-21')).text) as { items: Record<string, unknown>[] };
    expect(body.items.map((u) => [u.code, u.rank])).to.deep.equal([['U1', 1], ['U2', 2], ['U3', null]]);
    const [u1, u2, u3] = body.items;
    expectNumbers(u1 ?? {}, { received: 4, closed: 3, due: 2, closedOnTime: 1, rated: 2, returned: 1, overdue: 1, onTimeClosureRate: 0.5, satisfactionRate: 1, responseRate: 0.5, score: 70 });
    expectNumbers(u2 ?? {}, { received: 2, closed: 2, due: 3, closedOnTime: 2, rated: 2, returned: 0, overdue: 2, onTimeClosureRate: 2 / 3, satisfactionRate: 0.5, responseRate: 0.5, score: 100 * (0.4 * (2 / 3) + 0.2 + 0.1) });
    expect(u3).to.include({ received: 0, overdue: 0, score: null, onTimeClosureRate: null });
  });

  it('when the units are asked as CSV, it has a row per unit in rank order', async () => {
    const res = await get('/units?from=2026-11-20&to=2026-11-21', 'text/csv');
    const lines = res.text.slice(1).trimEnd().split('\r\n');
    expect(lines[0]).to.equal('排名 rank,单位编码 code,承办单位 name,综合得分 score,收到工单 received,办结量 closed,应办结量 due,按期办结量 closedOnTime,按期办结率 onTimeClosureRate,回访评价量 rated,满意率 satisfactionRate,响应率 responseRate,退单量 returned,超期(红灯) overdue');
    expect(lines.slice(1)).to.deep.equal(['1,U1,城关街道,70,4,3,2,1,0.5,2,1,0.5,1,1', '2,U2,水务公司,56.67,2,2,3,2,0.6667,2,0.5,0.5,0,2', ',U3,公安分局,,0,0,0,0,,0,,,0,0']);
  });

  /*
   * Categories, by hand. This period: o2 o3 o5 供水, o6 道路, o7 o10 医保. Previous day [11-18T16:00Z, 11-19T16:00Z): o8 道路, o9 医保.
   * 供水 3 (0, +3, rate null), 医保 2 (1, +1, 100 %), 道路 1 (1, 0, 0). 城乡建设 4 (1, +3, 300 %), 社会保障 2 (1, +1, 100 %).
   * Rising: 供水 (+3), 医保 (+1).
   */
  it('when the categories are asked, it returns volumes per category and top class and the rising ones', async () => {
    const body = JSON.parse((await get('/categories?from=2026-11-20&to=2026-11-21')).text) as Record<string, { code: string; count: number; previous: number; change: number; changeRate: number | null; path: string }[]>;
    const pick = (rows: typeof body.leaves = []): unknown[] => rows.map((r) => [r.code, r.count, r.previous, r.change, r.changeRate]);
    expect(pick(body.leaves)).to.deep.equal([['A01', 3, 0, 3, null], ['B01', 2, 1, 1, 1], ['A02', 1, 1, 0, 0]]);
    expect(pick(body.tops)).to.deep.equal([['A', 4, 1, 3, 3], ['B', 2, 1, 1, 1]]);
    expect(pick(body.rising)).to.deep.equal([['A01', 3, 0, 3, null], ['B01', 2, 1, 1, 1]]);
    expect(body.leaves?.[0]?.path).to.equal('城乡建设 / 供水');
  });

  it('when the categories are asked as CSV, it lists top classes, categories and rising ones', async () => {
    const res = await get('/categories?from=2026-11-20&to=2026-11-21&format=csv');
    const lines = res.text.slice(1).trimEnd().split('\r\n');
    expect(lines).to.deep.equal([
      '类型 kind,分类编码 code,分类 path,本期 count,上期 previous,变化 change,变化率 changeRate',
      'top,A,城乡建设,4,1,3,3',
      'top,B,社会保障,2,1,1,1',
      'leaf,A01,城乡建设 / 供水,3,0,3,',
      'leaf,B01,社会保障 / 医保,2,1,1,1',
      'leaf,A02,城乡建设 / 道路,1,1,0,0',
      'rising,A01,城乡建设 / 供水,3,0,3,',
      'rising,B01,社会保障 / 医保,2,1,1,1',
    ]);
  });

  it('when a period holds nothing, every count is 0 and every rate null', async () => {
    const summary = await service().summary({ from: '2025-01-01', to: '2025-01-02' });
    expect(summary.calls).to.deep.equal({ offered: 0, answered: 0, answeredWithinSl: 0, abandoned: 0, answerRate: null, serviceLevel: null, abandonRate: null, asaS: null, ahtS: null });
    expect(summary.orders.received).to.equal(0);
    expect(summary.orders.closureRate).to.equal(null);
    expect(summary.orders.satisfactionRate).to.equal(null);
  });

  describe('the call counts of settled days (report_call_days)', () => {
    const DAY = { from: '2026-11-20', to: '2026-11-21' };
    const DAY_START_MS = Date.parse('2026-11-19T16:00:00Z');
    const stored = (): Promise<Record<string, unknown>[]> =>
      testDb.db.sequelize.query<Record<string, unknown>>('SELECT * FROM report_call_days ORDER BY day_start_ms, params', { type: QueryTypes.SELECT });
    afterEach(async () => {
      await queries.callDays.clear();
    });

    it('when a settled day is reported, its counts are stored once per thresholds and the next report reads them', async () => {
      await queries.callDays.clear();
      await eventService().summary(DAY);
      await eventService().summary(DAY);
      await eventService({ excludeAbandonsUnderS: 5 }).summary(DAY);
      const rows = await stored();
      expect(rows.map((r) => [Number(r.day_start_ms), r.params, Number(r.offered), Number(r.short_abandons)])).to.deep.equal([
        [DAY_START_MS, 'sl=15000;abandon=0;q=', 11, 0],
        [DAY_START_MS, 'sl=15000;abandon=5000;q=', 11, 2],
      ]);
      // The stored row, not the events, is what the next report reads.
      await testDb.db.sequelize.query("UPDATE report_call_days SET offered = 22 WHERE params = 'sl=15000;abandon=0;q='");
      expect((await eventService().summary(DAY)).calls.offered).to.equal(22);
    });

    it('when the period spans two days, each settled day is stored and the totals are the same as counted from the events', async () => {
      const period = { from: '2026-11-19', to: '2026-11-21' };
      const fromEvents = new SequelizeReportQueries(testDb.db.sequelize);
      const expected = await new ReportService({ queries: fromEvents, clock, timeZone: 'Asia/Shanghai', serviceLevelS: 15 }).summary(period);
      expect(expected.calls.offered).to.equal(12); // c10 entered on the 19th
      expect((await eventService().summary(period)).calls).to.deep.equal(expected.calls);
      expect((await stored()).map((r) => Number(r.day_start_ms))).to.deep.equal([DAY_START_MS - 86_400_000, DAY_START_MS]);
    });

    it('when the day is not settled yet (its last calls may still be in wrap-up), it is counted from the events and not stored', async () => {
      const early: Clock = { ...clock, now: () => Date.parse('2026-11-20T16:30:00Z') };
      const live = new SequelizeReportQueries(testDb.db.sequelize, { clock: early });
      const summary = await new ReportService({ queries: live, clock: early, timeZone: 'Asia/Shanghai', serviceLevelS: 15 }).summary(DAY);
      expectNumbers(summary.calls as unknown as Record<string, unknown>, CALLS);
      expect(await stored()).to.deep.equal([]);
    });
  });

  describe('the daily series (/reports/daily)', () => {
    afterEach(async () => {
      await queries.callDays.clear();
    });

    /*
     * By hand: the 19th holds c10 alone (entered 23:59:50 local, answered after 15 s: within the threshold); the 20th is the
     * day above (c11 entered 23:59:55 and answered after midnight: still the 20th's, by its entry); the 21st (today at NOW) has none.
     */
    it('when three days are asked, each row holds that day\'s calls worked out by hand, and an empty day has null rates', async () => {
      await queries.callDays.clear();
      const res = await get('/daily?from=2026-11-19&to=2026-11-22');
      expect(res.status).to.equal(200);
      const body = JSON.parse(res.text) as { from: string; to: string; days: (Record<string, unknown> & { day: string })[] };
      expect(body.from).to.equal('2026-11-18T16:00:00.000Z');
      expect(body.days.map((d) => [d.day, d.from, d.to])).to.deep.equal([
        ['2026-11-19', '2026-11-18T16:00:00.000Z', '2026-11-19T16:00:00.000Z'],
        ['2026-11-20', '2026-11-19T16:00:00.000Z', '2026-11-20T16:00:00.000Z'],
        ['2026-11-21', '2026-11-20T16:00:00.000Z', '2026-11-21T16:00:00.000Z'],
      ]);
      const [d19, d20, d21] = body.days;
      expect(d19).to.deep.include({ offered: 1, answered: 1, answeredWithinSl: 1, abandoned: 0, answerRate: 1, serviceLevel: 1, abandonRate: 0, asaS: 15 });
      expectNumbers(d20 ?? {}, CALLS);
      expect(d21).to.deep.include({ offered: 0, answered: 0, answeredWithinSl: 0, answerRate: null, serviceLevel: null, asaS: null });
    });

    it('when the daily series is asked, the settled days are stored and the days add up to the summary of the period', async () => {
      await queries.callDays.clear();
      // From the event log (which stores the settled days); the summary from the aggregates.
      const daily = await eventService().daily({ from: '2026-11-19', to: '2026-11-22' });
      const rows = await testDb.db.sequelize.query<Record<string, unknown>>('SELECT day_start_ms FROM report_call_days ORDER BY day_start_ms', { type: QueryTypes.SELECT });
      // The 21st is not settled at NOW: counted from the events, not stored.
      expect(rows.map((r) => Number(r.day_start_ms))).to.deep.equal([Date.parse('2026-11-18T16:00:00Z'), Date.parse('2026-11-19T16:00:00Z')]);
      const summary = await service().summary({ from: '2026-11-19', to: '2026-11-22' });
      const sum = (key: 'offered' | 'answered' | 'answeredWithinSl' | 'abandoned'): number => daily.days.reduce((acc, d) => acc + d[key], 0);
      expect({ offered: sum('offered'), answered: sum('answered'), answeredWithinSl: sum('answeredWithinSl'), abandoned: sum('abandoned') }).to.deep.equal({
        offered: summary.calls.offered,
        answered: summary.calls.answered,
        answeredWithinSl: summary.calls.answeredWithinSl,
        abandoned: summary.calls.abandoned,
      });
    });

    it('when the daily series is asked as CSV, it is a row per day with the rates to 4 decimals', async () => {
      const res = await get('/daily?from=2026-11-20&to=2026-11-21', 'text/csv');
      expect(res.text.charCodeAt(0)).to.equal(0xfeff);
      const lines = res.text.slice(1).trimEnd().split('\r\n');
      expect(lines[1]).to.equal('2026-11-20,11,7,4,3,0.6364,0.3636,0.2727,25.7,106');
    });

    it('when the period touches more than 366 days, it is refused with 400 naming to', async () => {
      const res = await get('/daily?from=2025-01-01&to=2026-01-03');
      expect(res.status).to.equal(400);
      expect(res.text).to.contain('"path":"to"');
    });
  });

  it('when an agent asks for a report, it is refused with 403', async () => {
    expect((await get('/summary', 'application/json', 'agent')).status).to.equal(403);
  });
});

describe('sql/reports', () => {
  it('when the report queries change, the DBA copies under sql/reports/ are regenerated to match', async () => {
    for (const [name, text] of Object.entries(reportSqlFiles())) {
      expect(await readFile(new URL(`../../sql/reports/${name}`, import.meta.url), 'utf8'), name).to.equal(text);
    }
  });
});
