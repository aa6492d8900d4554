import { expect } from 'chai';
import { QueryTypes, type Sequelize } from 'sequelize';
import sinon from 'sinon';
import { fileURLToPath } from 'node:url';
import { SequelizeCategoryRepository } from '../../src/db/category-repository.js';
import { seedIfEmpty } from '../../src/db/seed-loader.js';
import { SequelizeTicketRepository } from '../../src/db/ticket-repository.js';
import { SequelizeUnitRepository } from '../../src/db/unit-repository.js';
import { silentLogger } from '../../src/logging/logger.js';
import { ValidationError, type AppError } from '../../src/shared/app-error.js';
import type { Clock } from '../../src/shared/clock.js';
import { TicketService } from '../../src/tickets/ticket-service.js';
import { WeekendOnlyCalendar } from '../../src/tickets/working-day-calendar.js';
import { openTestDatabase, testDbKind, type TestDatabase } from '../support/test-database.js';

const SEED_DIR = fileURLToPath(new URL('../../sql/seed/', import.meta.url));

async function count(sequelize: Sequelize, table: string): Promise<number> {
  const rows = await sequelize.query<{ n: number | string }>(`SELECT COUNT(*) AS n FROM ${table}`, { type: QueryTypes.SELECT });
  return Number(rows[0]?.n);
}

async function rejection(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (err) {
    return err as AppError;
  }
  throw new Error('expected a rejection');
}

async function refusal(promise: Promise<unknown>): Promise<ValidationError> {
  const err = await rejection(promise);
  if (!(err instanceof ValidationError)) throw new Error(`expected a ValidationError, got ${String(err)}`);
  return err;
}

describe(`ticket intake on ${testDbKind()}`, () => {
  let testDb: TestDatabase;
  let sequelize: Sequelize;
  let service: TicketService;
  let now: number;
  let categoryIds: Map<string, number>;
  let unitIds: Map<string, number>;
  const agent = { id: 7, role: 'agent' };

  beforeEach(async () => {
    testDb = await openTestDatabase();
    sequelize = testDb.db.sequelize;
    await seedIfEmpty(sequelize, SEED_DIR);
    const units = new SequelizeUnitRepository(sequelize);
    const categories = new SequelizeCategoryRepository(sequelize);
    categoryIds = new Map((await categories.list()).map((c) => [c.name, c.id]));
    unitIds = new Map((await units.list()).map((u) => [u.code, u.id]));
    now = Date.parse('2026-11-21T16:30:00.000Z'); // Sunday 2026-11-22 00:30 in Shanghai
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

  const form = (over: Record<string, unknown> = {}) => ({
    requestType: '投诉举报',
    categoryId: categoryIds.get('室温不达标'),
    content: '家中室温只有十四度，物业说不归他们管😠',
    address: '朝阳门北大街3号楼2单元501',
    residentName: '欧阳娜娜',
    residentPhone: '13812345678',
    ...over,
  });

  it('when two tickets are created the same Shanghai day, they get 000001 and 000002 of that day', async () => {
    const a = await service.create(form(), agent, 'phone');
    const b = await service.create(form(), agent, 'phone');
    expect([a.code, b.code]).to.deep.equal(['20261122-000001', '20261122-000002']);
    now += 86_400_000;
    expect((await service.create(form(), agent, 'phone')).code).to.equal('20261123-000001');
  });

  it('when a ticket is stored, it reads back whole: Chinese text, default unit, deadlines and both events', async () => {
    const created = await service.create(form({ callId: 'a84b4c76e66710@pc33.example.com' }), agent, 'phone');
    const got = await service.get(created.code, agent);
    expect(got).to.deep.equal(created);
    expect(got).to.include({
      requestType: 'complaint',
      content: '家中室温只有十四度，物业说不归他们管😠',
      residentName: '欧阳娜娜',
      residentPhone: '13812345678',
      state: 'dispatched',
      currentUnitId: unitIds.get('GNB'),
      answeredOnCall: false,
      version: 1,
    });
    // Sunday 00:30 + 1 working day → Monday 00:30 Shanghai.
    expect(got.replyBy?.toISOString()).to.equal('2026-11-22T16:30:00.000Z');
    expect(got.events.map((e) => [e.type, e.unitId])).to.deep.equal([
      ['created', null],
      ['dispatched', unitIds.get('GNB')],
    ]);
    expect(got.events[1]?.data).to.deep.include({ unitCode: 'GNB' });
  });

  it('when answered on the call (直办), it is stored closed with the created and closed events', async () => {
    const t = await service.create(form({ requestType: 'consult', answeredOnCall: true, answer: '供暖季室温标准为18℃，已告知' }), agent, 'phone');
    const got = await service.get(t.code, agent);
    expect(got).to.include({ state: 'closed', currentUnitId: null, answeredOnCall: true });
    expect(got.events.map((e) => [e.type, e.note])).to.deep.equal([
      ['created', null],
      ['closed', '供暖季室温标准为18℃，已告知'],
    ]);
  });

  it('when 20 tickets are created at once, it gives 20 distinct codes 000001-000020', async () => {
    const created = await Promise.all(Array.from({ length: 20 }, () => service.create(form(), agent, 'phone')));
    const codes = created.map((t) => t.code).sort();
    expect(new Set(codes).size).to.equal(20);
    expect(codes[0]).to.equal('20261122-000001');
    expect(codes[19]).to.equal('20261122-000020');
    expect(await count(sequelize, 'ticket_events')).to.equal(40);
  });

  it('when the form is refused or names an unknown category, nothing is stored', async () => {
    const refused = await refusal(service.create(form({ content: '短', residentPhone: 'x' }), agent, 'phone'));
    expect(refused.issues.map((i) => i.path)).to.deep.equal(['content', 'residentPhone']);
    const unknown = await refusal(service.create(form({ categoryId: 99_999 }), agent, 'phone'));
    expect(unknown.issues).to.deep.equal([{ path: 'categoryId', message: 'names no category (99999)' }]);
    expect(await count(sequelize, 'tickets')).to.equal(0);
    expect(await count(sequelize, 'ticket_events')).to.equal(0);
  });

  it('when writing an event fails, neither the ticket nor its events nor its number are kept', async () => {
    const events = sequelize.model('TicketEvent');
    const create = events.create.bind(events);
    let calls = 0;
    sinon.stub(events, 'create').callsFake((...args: Parameters<typeof create>) => {
      calls++;
      return calls === 2 ? Promise.reject(new Error('disk full')) : create(...args);
    });
    const err = await rejection(service.create(form(), agent, 'phone'));
    expect(err.code).to.equal('DATABASE_ERROR');
    expect(await count(sequelize, 'tickets')).to.equal(0);
    expect(await count(sequelize, 'ticket_events')).to.equal(0);
    sinon.restore();
    expect((await service.create(form(), agent, 'phone')).code).to.equal('20261122-000001');
  });

  it('when a unit user lists by phone, it sees only its unit’s tickets, newest first', async () => {
    const heating = await service.create(form(), agent, 'phone');
    now += 1000;
    const heating2 = await service.create(form(), agent, 'phone');
    now += 1000;
    await service.create(form({ categoryId: categoryIds.get('占道经营') }), agent, 'phone');
    const gnbUser = { id: 40, role: 'unit', unitId: unitIds.get('GNB') };
    const page = await service.listByPhone('13812345678', gnbUser, { limit: 10, offset: 0 });
    expect(page.items.map((t) => t.code)).to.deep.equal([heating2.code, heating.code]);
    expect(page.total).to.equal(2);
    const all = await service.listByPhone('13812345678', agent, { limit: 2, offset: 0 });
    expect(all.total).to.equal(3);
    expect(all.items.map((t) => t.code)).to.deep.equal(['20261122-000003', '20261122-000002']);
  });

  it('when listed by deadline, the current step’s deadline comes soonest first, ties by id, orders without one last, pages not overlapping', async () => {
    const repo = new SequelizeTicketRepository(sequelize);
    const gnbId = unitIds.get('GNB');
    const t1 = await service.create(form(), agent, 'phone');
    const t2 = await service.create(form(), agent, 'phone');
    const t3 = await service.create(form(), agent, 'phone');
    const t4 = await service.create(form({ categoryId: categoryIds.get('占道经营') }), agent, 'phone');
    const t5 = await service.create(form(), agent, 'phone');
    const otherUnit = t4.currentUnitId ?? undefined;
    expect(otherUnit).to.be.a('number').and.not.equal(gnbId);
    const at = (minutes: number) => new Date(now + minutes * 60_000);
    const set = async (t: typeof t1, patch: Parameters<SequelizeTicketRepository['update']>[2]) => {
      const event = { type: 'escalated' as const, actorUserId: 0, actorRole: 'system', channel: 'api' as const, unitId: null, note: null, data: {}, at: new Date(now) };
      await repo.update(t.id, t.version, patch, [event]);
    };
    // t2's sign_by is later but it is signed: its reply_by counts. t3 is replied: no running deadline.
    await set(t1, { signBy: at(180), replyBy: at(1) });
    await set(t2, { state: 'signed', signBy: at(600), replyBy: at(60) });
    await set(t3, { state: 'replied', signBy: at(0), replyBy: at(0) });
    await set(t4, { signBy: at(180) });
    await set(t5, { state: 'in-progress', replyBy: at(120), extensionStatus: 'pending', extensionDays: 2, extensionReason: '需要协调供热公司' });
    const codes = (page: { items: readonly { code: string }[] }) => page.items.map((t) => t.code);
    const c = (...ts: (typeof t1)[]) => ts.map((t) => t.code);

    const pages = [];
    for (let offset = 0; offset < 6; offset += 2) pages.push(await service.list({ sort: 'deadline' }, agent, { limit: 2, offset }));
    expect(pages.map(codes)).to.deep.equal([c(t2, t5), c(t1, t4), c(t3)]);
    expect(pages.map((p) => p.total)).to.deep.equal([5, 5, 5]);
    expect(codes(await service.list({}, agent, { limit: 10, offset: 0 }))).to.deep.equal(c(t5, t4, t3, t2, t1));

    expect(codes(await service.list({ states: ['signed', 'in-progress'] }, agent, { limit: 10, offset: 0 }))).to.deep.equal(c(t5, t2));
    expect(codes(await service.list({ unitId: otherUnit }, agent, { limit: 10, offset: 0 }))).to.deep.equal(c(t4));
    expect(codes(await service.list({ extension: 'pending' }, agent, { limit: 10, offset: 0 }))).to.deep.equal(c(t5));
    // A unit user naming another unit still sees only its own unit's orders.
    const gnbUser = { id: 40, role: 'unit', unitId: gnbId };
    const own = await service.list({ unitId: otherUnit, sort: 'deadline' }, gnbUser, { limit: 10, offset: 0 });
    expect(codes(own)).to.deep.equal(c(t2, t5, t1, t3));
    expect(own.total).to.equal(4);
    const yellow = await service.list({ light: 'yellow', sort: 'deadline', states: ['dispatched'] }, gnbUser, { limit: 10, offset: 0 });
    expect(codes(yellow)).to.deep.equal(c(t1));
  });

  it('when a +8613812345678 caller asks, the screen-pop history finds the orders stored under 13812345678, also rows stored before numbers were normalised', async () => {
    const plain = await service.create(form(), agent, 'phone');
    now += 1000;
    const written = await service.create(form({ residentPhone: '+86 138-1234-5678' }), agent, 'phone');
    expect(written.residentPhone).to.equal('13812345678');
    now += 1000;
    const legacy = await service.create(form(), agent, 'phone');
    // A row as the old code stored it: the country code written as digits.
    await sequelize.query('UPDATE tickets SET resident_phone = ? WHERE id = ?', { replacements: ['8613812345678', legacy.id] });
    for (const caller of ['+8613812345678', '008613812345678', '13812345678']) {
      const page = await service.listByPhone(caller, agent, { limit: 10, offset: 0 });
      expect(page.items.map((t) => t.code), caller).to.deep.equal([legacy.code, written.code, plain.code]);
    }
  });
});
