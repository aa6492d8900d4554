import { expect } from 'chai';
import { QueryTypes, type Sequelize } from 'sequelize';
import sinon from 'sinon';
import { fileURLToPath } from 'node:url';
import { SequelizeCategoryRepository } from '../../src/db/category-repository.js';
import { seedIfEmpty } from '../../src/db/seed-loader.js';
import { SequelizeTicketRepository } from '../../src/db/ticket-repository.js';
import { SequelizeUnitRepository } from '../../src/db/unit-repository.js';
import { silentLogger } from '../../src/logging/logger.js';
import type { AppError } from '../../src/shared/app-error.js';
import type { Clock } from '../../src/shared/clock.js';
import { TicketService } from '../../src/tickets/ticket-service.js';
import type { TicketActor } from '../../src/tickets/ticket.js';
import { WeekendOnlyCalendar } from '../../src/tickets/working-day-calendar.js';
import { openTestDatabase, testDbKind, type TestDatabase } from '../support/test-database.js';

const SEED_DIR = fileURLToPath(new URL('../../sql/seed/', import.meta.url));
const DAY = 86_400_000;

async function settle(promises: Promise<unknown>[]): Promise<{ ok: number; codes: string[] }> {
  const results = await Promise.allSettled(promises);
  return {
    ok: results.filter((r) => r.status === 'fulfilled').length,
    codes: results.flatMap((r) => (r.status === 'rejected' ? [(r.reason as AppError).code] : [])),
  };
}

describe(`ticket lifecycle on ${testDbKind()}`, () => {
  let testDb: TestDatabase;
  let sequelize: Sequelize;
  let service: TicketService;
  let now: number;
  let categoryIds: Map<string, number>;
  let gnb: TicketActor;
  let gnbId: number;
  const agent = { id: 7, role: 'agent' };
  const supervisor = { id: 8, role: 'supervisor' };

  beforeEach(async () => {
    testDb = await openTestDatabase();
    sequelize = testDb.db.sequelize;
    await seedIfEmpty(sequelize, SEED_DIR);
    const units = new SequelizeUnitRepository(sequelize);
    const categories = new SequelizeCategoryRepository(sequelize);
    categoryIds = new Map((await categories.list()).map((c) => [c.name, c.id]));
    gnbId = (await units.getByCode('GNB'))?.id ?? 0;
    gnb = { id: 40, role: 'unit', unitId: gnbId };
    now = Date.parse('2026-11-20T02:00:00.000Z'); // Friday 10:00 Shanghai
    const clock: Clock = { now: () => now, setTimeout: sinon.stub(), clearTimeout: sinon.stub() };
    service = new TicketService({
      tickets: new SequelizeTicketRepository(sequelize),
      categories,
      units,
      calendar: new WeekendOnlyCalendar('Asia/Shanghai'),
      clock,
      timeZone: 'Asia/Shanghai',
      logger: silentLogger(),
    });
  });

  afterEach(async () => {
    sinon.restore();
    await testDb.drop();
  });

  let phone = 13800000000;
  const order = () =>
    service.create(
      { requestType: 'help', categoryId: categoryIds.get('室温不达标'), content: '家中室温只有十四度，暖气不热', address: '朝阳门北大街3号楼', residentPhone: String(phone++) },
      agent,
      'phone',
    );

  it('when an order goes through the whole lifecycle, every step is stored on the row and as an event', async () => {
    const t = await order();
    let v = t.version;
    const act = async (action: Parameters<TicketService['act']>[1], body: Record<string, unknown>, actor: TicketActor) => {
      const r = await service.act(t.code, action, { version: v, ...body }, actor, 'web');
      v = r.version;
      return r;
    };
    await act('sign', {}, gnb);
    await act('start', {}, gnb);
    await act('request-extension', { reason: '需协调供热公司检修', days: 3 }, gnb);
    const extended = await act('approve-extension', {}, supervisor);
    expect(extended.replyBy?.toISOString()).to.equal('2026-11-26T02:00:00.000Z');
    await act('reply', { content: '经现场核实，供热管道阀门故障，已更换阀门，室温恢复至19度。', handlerName: '李明', handlerPhone: '01065120001' }, gnb);
    await act('review-approve', {}, supervisor);
    expect((await service.surveyCandidates(10)).map((c) => c.code)).to.deep.equal([t.code]);
    now += DAY;
    await act('survey', { satisfaction: 'unsatisfied', resolution: 'unresolved' }, agent);
    const got = await service.get(t.code, gnb);
    expect(got).to.include({ state: 'dispatched', reopenCount: 1, satisfaction: 'unsatisfied', resolution: 'unresolved', repliedByName: '李明', extensionStatus: null, version: 8 });
    expect(got.events.map((e) => e.type)).to.deep.equal([
      'created',
      'dispatched',
      'signed',
      'started',
      'extension-requested',
      'extension-approved',
      'replied',
      'review-approved',
      'surveyed',
      'reopened',
    ]);
    expect(got.events[5]?.data).to.deep.include({ days: 3, replyBy: '2026-11-26T02:00:00.000Z' });
  });

  it('when two actions hit one order at once, exactly one wins and the other is a VERSION_CONFLICT', async () => {
    const t = await order();
    const result = await settle([
      service.act(t.code, 'sign', { version: 1 }, gnb, 'web'),
      service.act(t.code, 'return', { version: 1, reason: '不属于本单位职责范围' }, gnb, 'web'),
    ]);
    expect(result).to.deep.equal({ ok: 1, codes: ['VERSION_CONFLICT'] });
    const got = await service.get(t.code, agent);
    expect(got.version).to.equal(2);
    expect(got.events).to.have.length(3);
    expect(['signed', 'returned']).to.include(got.state);
  });

  it('when six dispatches race on a returned order, one wins and the count rises by one', async () => {
    const t = await order();
    await service.act(t.code, 'return', { version: 1, reason: '不属于本单位职责范围' }, gnb, 'web');
    const result = await settle(Array.from({ length: 6 }, () => service.act(t.code, 'dispatch', { version: 2, unitId: gnbId }, agent, 'web')));
    expect(result.ok).to.equal(1);
    expect(result.codes).to.deep.equal(Array<string>(5).fill('VERSION_CONFLICT'));
    const got = await service.get(t.code, agent);
    expect(got).to.include({ dispatchCount: 2, version: 3 });
  });

  it('when the list is filtered by light, the database picks the orders by their stored deadlines', async () => {
    const cold = await order(); // sign by Monday 10:00
    const heating = await service.create(
      { requestType: 'help', categoryId: categoryIds.get('供暖') ?? categoryIds.get('室温不达标'), content: '小区整栋楼暖气都不热', address: '朝阳门北大街5号楼', residentPhone: '13911112222' },
      agent,
      'phone',
    );
    await service.act(heating.code, 'sign', { version: 1 }, gnb, 'web');
    const codes = async (light: 'red' | 'yellow' | 'green') => (await service.list({ light }, agent, { limit: 10, offset: 0 })).items.map((t) => t.code);
    expect(await codes('yellow')).to.include(cold.code);
    now += 3 * DAY + 3_600_000; // Monday 11:00
    expect(await codes('red')).to.include(cold.code);
    expect(await codes('yellow')).to.not.include(cold.code);
    const red = (await service.overdue(new Date(now), false)).filter((o) => o.ticketId === cold.id);
    expect(red.map((o) => [o.code, o.step, o.unitName, o.attempts])).to.deep.equal([[cold.code, 'sign', '区供暖办公室', 0]]);
    await service.recordAttempt({ ticketId: cold.id, step: 'sign', deadline: red[0]?.deadline ?? new Date(0), attempt: 1, result: 'acknowledged', target: '01065120001', callId: null, at: new Date(now) });
    await service.escalate(cold.id, 1, '超期未签收', new Date(now));
    const after = (await service.overdue(new Date(now), false)).find((o) => o.ticketId === cold.id);
    expect(after).to.include({ attempts: 1, acknowledged: true, escalationLevel: 1 });
  });

  it('when the same caller repeats a request, both orders carry the link in one transaction', async () => {
    const form = { requestType: 'help', categoryId: categoryIds.get('室温不达标'), content: '家中室温只有十四度，暖气不热', address: '朝阳门北大街3号楼', residentPhone: '13712345678' };
    const first = await service.create(form, agent, 'phone');
    now += DAY;
    const second = await service.create(form, agent, 'phone');
    expect(second).to.include({ duplicate: true, duplicateOf: first.id });
    const original = await service.get(first.code, agent);
    expect(original.events.map((e) => e.type)).to.deep.equal(['created', 'dispatched', 'linked-duplicate']);
    const rows = await sequelize.query<{ n: number | string }>('SELECT COUNT(*) AS n FROM tickets WHERE is_duplicate = ?', { replacements: [true], type: QueryTypes.SELECT });
    expect(Number(rows[0]?.n)).to.equal(1);
  });
});
