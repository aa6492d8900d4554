import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import sinon from 'sinon';
import { AggregateReportQueries } from '../../src/db/aggregate-report-queries.js';
import { InProcessJobLock } from '../../src/db/job-lock.js';
import { applyRecordOps, type RecordOp } from '../../src/db/record-ops.js';
import { ReportAggregateRebuild } from '../../src/db/report-aggregate-rebuild.js';
import { ReportAggregates } from '../../src/db/report-aggregates.js';
import { SequelizeReportQueries } from '../../src/db/report-queries.js';
import { SequelizeAcdRecordRepository } from '../../src/db/sequelize-acd-record-repository.js';
import { SequelizeCallRecordRepository } from '../../src/db/sequelize-call-record-repository.js';
import { ticketTransaction } from '../../src/db/ticket-transaction.js';
import { SequelizeTicketRepository } from '../../src/db/ticket-repository.js';
import { ReportReconcileJob } from '../../src/jobs/report-reconcile.job.js';
import { silentLogger } from '../../src/logging/logger.js';
import { ReportService } from '../../src/metrics/report-service.js';
import type { Clock } from '../../src/shared/clock.js';
import type { NewTicketEvent, TicketDraft, TicketState } from '../../src/tickets/ticket.js';
import { CALLS, NOW, ORDERS, ORDERS_EXPECTED, QUEUE_EVENTS } from '../support/report-data-set.js';
import { openTestDatabase, testDbKind, type TestDatabase } from '../support/test-database.js';

const ZONE = 'Asia/Shanghai';
const DAY = { from: '2026-11-20', to: '2026-11-21' };
const ALL_DAYS = { fromDay: '2026-11-17', toDay: '2026-11-27' };

/**
 * The hand-built data set of test/db/reports.test.ts written through the repositories, as the server
 * writes it: each order created, then one update (or survey append) per event of its log, its row
 * moving through intermediate values (unit, deadlines) before its final ones; the queue events in two
 * spool batches that split calls between them, and one single write. The aggregates kept up by those
 * writes must give the figures worked out by hand, and equal what a rebuild from the log gives.
 */
describe(`report aggregates kept up by the writes on ${testDbKind()}`, () => {
  let testDb: TestDatabase;
  let aggregates: ReportAggregates;
  let rebuild: ReportAggregateRebuild;
  const clock: Clock = { now: () => NOW.getTime(), setTimeout: sinon.stub(), clearTimeout: sinon.stub() };
  const service = (): ReportService =>
    new ReportService({ queries: new AggregateReportQueries(testDb.db.sequelize, aggregates, new SequelizeReportQueries(testDb.db.sequelize)), clock, timeZone: ZONE, serviceLevelS: 15 });

  before(async () => {
    testDb = await openTestDatabase();
    const { sequelize } = testDb.db;
    const qi = sequelize.getQueryInterface();
    const ts = { created_at: new Date('2026-01-01T00:00:00Z'), updated_at: new Date('2026-01-01T00:00:00Z') };
    await qi.bulkInsert('handling_units', [1, 2, 3].map((id) => ({ id, code: `U${id}`, name: `单位${id}`, kind: 'street', liaison_name: '联络员', liaison_phone: '13800000000', active: true, ...ts })));
    await qi.bulkInsert('categories', [[1, null, 'A'], [2, null, 'B'], [3, 1, 'A01'], [4, 1, 'A02'], [5, 2, 'B01']].map(([id, parent_id, code]) => ({ id, parent_id, code, name: String(code), level: parent_id === null ? 1 : 2, ...ts })));
    aggregates = new ReportAggregates(sequelize, ZONE);
    rebuild = new ReportAggregateRebuild(sequelize, aggregates);

    const tickets = new SequelizeTicketRepository(sequelize, { timeZone: ZONE });
    for (const o of ORDERS) {
      const [first, ...rest] = o.events.map(([type, at, unitId, data]): NewTicketEvent => ({ type: type as NewTicketEvent['type'], at, unitId, data: data ?? {}, actorUserId: 7, actorRole: 'agent', channel: 'web', note: null }));
      if (first === undefined) throw new Error('an order without events');
      // Created with no unit and no deadlines: the dispatches and the last write set them.
      let t = await tickets.create('20261120', draft(o.category, o.created, o.unit === null), [first]);
      for (const [i, e] of rest.entries()) {
        const last = i === rest.length - 1;
        if (e.type === 'surveyed' && !last) {
          // Survey results are appended without a new version (as the survey job records them).
          await tickets.appendEvents(t.id, [e]);
          continue;
        }
        const patch = last
          ? { state: o.state as TicketState, currentUnitId: o.unit, signBy: o.signBy, replyBy: o.replyBy }
          : { currentUnitId: e.unitId ?? t.currentUnitId, signBy: e.type === 'dispatched' ? new Date(e.at.getTime() + 3_600_000) : t.signBy, replyBy: t.replyBy ?? new Date(e.at.getTime() + 86_400_000) };
        t = await tickets.update(t.id, t.version, patch, [e]);
      }
    }

    const acd = new SequelizeAcdRecordRepository(sequelize, { timeZone: ZONE });
    const stores = { calls: new SequelizeCallRecordRepository(sequelize, 'test-node'), acd, transaction: <T>(fn: Parameters<typeof ticketTransaction<T>>[1]) => ticketTransaction(sequelize, fn) };
    const ops: RecordOp[] = QUEUE_EVENTS.map((event, i) => ({ kind: 'queue-event', key: `q${String(i)}`, event }));
    const [single, ...batched] = ops.slice(-1).concat(ops.slice(0, -1));
    const half = Math.floor(batched.length / 2);
    await applyRecordOps(batched.slice(0, half), stores);
    await applyRecordOps(batched.slice(half), stores);
    // A replayed batch adds nothing (its keys are stored).
    await applyRecordOps(batched.slice(half), stores);
    if (single?.kind === 'queue-event') await acd.addQueueEventOnce(single.key, single.event);
  });

  after(async () => {
    await testDb.drop();
  });

  it('when the data set is written through the repositories, the summary from the aggregates gives the figures worked out by hand', async () => {
    const summary = await service().summary(DAY);
    for (const [key, value] of Object.entries(CALLS)) expect(summary.calls[key as keyof typeof summary.calls], key).to.be.closeTo(value, 1e-9);
    for (const [key, value] of Object.entries(ORDERS_EXPECTED)) expect(summary.orders[key as keyof typeof summary.orders], key).to.be.closeTo(value, 1e-9);
  });

  it('when the units are ranked from the aggregates kept by the writes, the counts are the hand-worked ones', async () => {
    const units = await service().units(DAY);
    const pick = (code: string): unknown => {
      const u = units.items.find((i) => i.code === code);
      return u === undefined ? undefined : [u.received, u.closed, u.due, u.closedOnTime, u.rated, u.returned, u.overdue];
    };
    expect(pick('U1')).to.deep.equal([4, 3, 2, 1, 2, 1, 1]);
    expect(pick('U2')).to.deep.equal([2, 2, 3, 2, 2, 0, 2]);
  });

  it('when the aggregates kept by the writes are compared with a rebuild from the log, every row is equal', async () => {
    const differences = await ticketTransaction(testDb.db.sequelize, async (transaction) => {
      const storedOrders = await aggregates.storedOrderRows(ALL_DAYS.fromDay, ALL_DAYS.toDay, transaction);
      const storedQueue = await aggregates.storedQueueRows(ALL_DAYS.fromDay, ALL_DAYS.toDay, transaction);
      // Rows whose counters all went back to 0 (an order's fact taken off again) count as absent.
      const nonZero = (rows: Map<string, { counters: Record<string, number> }>): string[] => [...rows].filter(([, r]) => Object.keys(r.counters).length > 0).map(([k]) => k).sort();
      return { orders: nonZero(storedOrders), queue: nonZero(storedQueue), storedOrders, storedQueue };
    });
    const orders = await rebuild.computeOrders(ALL_DAYS);
    const queue = await rebuild.computeQueue(ALL_DAYS);
    expect(differences.orders).to.deep.equal([...orders.keys()].sort());
    expect(differences.queue).to.deep.equal([...queue.keys()].sort());
    for (const [k, row] of orders) expect(differences.storedOrders.get(k)?.counters, k).to.deep.equal(row.counters);
    for (const [k, row] of queue) expect(differences.storedQueue.get(k)?.counters, k).to.deep.equal(row.counters);
    expect(await rebuild.reconcile(ALL_DAYS)).to.deep.equal([]);
  });

  describe('the nightly reconciliation', () => {
    const logger = silentLogger();
    // Made per test: a root-level sinon.restore() of another file in the same run would undo a spy made here once.
    let warn: sinon.SinonSpy;
    beforeEach(() => {
      warn = sinon.spy(logger, 'warn');
    });
    afterEach(() => {
      warn.restore();
    });
    const job = (): ReportReconcileJob => new ReportReconcileJob({ reconciler: rebuild, lock: new InProcessJobLock(), clock, timeZone: ZONE, logger });

    it('when a row of yesterday differs from the log (a write behind the repositories), the job logs it and repairs it', async () => {
      const { sequelize } = testDb.db;
      // At NOW (2026-11-21 10:00 local) yesterday is the 20th: the hand-built day.
      await sequelize.query("UPDATE report_order_days SET closed = closed + 5 WHERE scope = 'all' AND day = '2026-11-20' AND closed > 0");
      await sequelize.query("DELETE FROM report_queue_days WHERE day = '2026-11-20' AND answered > 0 AND wait_s = 12");
      expect((await service().summary(DAY)).orders.closed).to.equal(11);
      expect((await service().summary(DAY)).calls.answered).to.equal(6);

      const summary = await job().runOnce();

      expect(summary).to.deep.equal({ ran: true, day: '2026-11-20', considered: 2 });
      expect(warn.callCount).to.equal(2);
      expect((warn.firstCall.args as unknown[])[1]).to.deep.include({ table: 'report_order_days', counters: { closed: [11, 6] } });
      expect((warn.secondCall.args as unknown[])[1]).to.deep.include({ table: 'report_queue_days', row: '2026-11-20|general|12', counters: { answered: [0, 1], wait_sum_ms: [0, 12_000] } });
      const repaired = await service().summary(DAY);
      expect(repaired.orders.closed).to.equal(ORDERS_EXPECTED.closed);
      expect(repaired.calls.answered).to.equal(CALLS.answered);
      expect((await job().runOnce()).considered).to.equal(0);
    });

    it('when another process holds the lock, the job does nothing', async () => {
      const lock = new InProcessJobLock();
      const held = await lock.tryAcquire('hotline12345.report-reconcile');
      const summary = await new ReportReconcileJob({ reconciler: rebuild, lock, clock, timeZone: ZONE, logger }).runOnce();
      await held?.release();
      expect(summary.ran).to.equal(false);
    });

    it('when a period is rebuilt after rows were lost, its reports come back', async () => {
      await testDb.db.sequelize.query("DELETE FROM report_order_days WHERE day = '2026-11-20'", { type: QueryTypes.DELETE });
      expect((await service().summary(DAY)).orders.received).to.equal(0);
      await rebuild.rebuild({ fromDay: '2026-11-20', toDay: '2026-11-21' });
      expect((await service().summary(DAY)).orders.received).to.equal(ORDERS_EXPECTED.received);
    });
  });
});

function draft(categoryId: number, createdAt: Date, answeredOnCall: boolean): TicketDraft {
  return {
    requestType: 'help',
    categoryId,
    content: '内容',
    address: '某路1号',
    residentName: null,
    residentPhone: '13900000000',
    doNotCall: false,
    urgency: 'normal',
    answeredOnCall,
    callId: null,
    handlingUnitId: null,
    currentUnitId: null,
    state: 'created',
    signBy: null,
    returnBy: null,
    replyBy: null,
    closedAt: null,
    dispatchCount: 0,
    reopenCount: 0,
    escalationLevel: 0,
    extensionStatus: null,
    extensionDays: null,
    extensionReason: null,
    extensionGrantedDays: 0,
    duplicateOf: null,
    duplicate: false,
    replyContent: null,
    repliedByName: null,
    repliedByPhone: null,
    satisfaction: null,
    resolution: null,
    createdBy: 7,
    createdAt,
  };
}
