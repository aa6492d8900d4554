import { expect } from 'chai';
import { PHONE_FIELD_MESSAGE } from '../../../src/tickets/field-schemas.js';
import sinon from 'sinon';
import { silentLogger } from '../../../src/logging/logger.js';
import { NotFoundError, ValidationError, type AppError } from '../../../src/shared/app-error.js';
import type { Clock } from '../../../src/shared/clock.js';
import { TicketService } from '../../../src/tickets/ticket-service.js';
import { WeekendOnlyCalendar } from '../../../src/tickets/working-day-calendar.js';
import { MemoryCategories, MemoryTickets, MemoryUnits, smallCatalog } from './memory-ticket-store.js';

// Friday 2026-11-20 10:00 in Shanghai.
const FRIDAY_10H = Date.parse('2026-11-20T02:00:00.000Z');
const agent = { id: 7, role: 'agent' };

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

describe('TicketService', () => {
  let tickets: MemoryTickets;
  let service: TicketService;
  let now: number;
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
    now = FRIDAY_10H;
    const clock: Clock = { now: () => now, setTimeout: sinon.stub(), clearTimeout: sinon.stub() };
    service = new TicketService({ tickets, categories, units, calendar: new WeekendOnlyCalendar('Asia/Shanghai'), clock, timeZone: 'Asia/Shanghai', logger: silentLogger() });
  });

  afterEach(() => {
    sinon.restore();
  });

  const form = (over: Record<string, unknown> = {}) => ({
    requestType: 'help',
    categoryId: ids.cold,
    content: '家中室温只有十四度，暖气不热',
    address: '朝阳门北大街3号楼2单元501',
    residentPhone: '13812345678',
    ...over,
  });

  it('when no unit is chosen, it dispatches to the nearest default unit with the nearest deadlines', async () => {
    const t = await service.create(form(), agent, 'phone');
    expect(t).to.include({ state: 'dispatched', handlingUnitId: gnbId, currentUnitId: gnbId, createdBy: 7, code: '20261120-000001' });
    // 室温不达标: reply 1 working day (its own); sign 1 working day (from 供暖): Friday → Monday.
    expect(t.replyBy?.toISOString()).to.equal('2026-11-23T02:00:00.000Z');
    expect(t.signBy?.toISOString()).to.equal('2026-11-23T02:00:00.000Z');
    expect(t.events.map((e) => [e.type, e.unitId, e.channel, e.actorRole])).to.deep.equal([
      ['created', null, 'phone', 'agent'],
      ['dispatched', gnbId, 'phone', 'agent'],
    ]);
  });

  it('when the category gives hours, it counts calendar hours and keeps signing before the reply', async () => {
    const t = await service.create(form({ categoryId: ids.building, requestType: 'complaint' }), agent, 'web');
    expect(t.currentUnitId).to.equal(cgwId);
    expect(t.replyBy?.toISOString()).to.equal('2026-11-21T02:00:00.000Z');
    // Default sign is 1 working day (Monday), later than the reply: capped at the reply.
    expect(t.signBy?.toISOString()).to.equal('2026-11-21T02:00:00.000Z');
  });

  it('when the order is an emergency, it must be replied within 2 hours and signed within 1', async () => {
    const t = await service.create(form({ urgency: 'emergency' }), agent, 'phone');
    expect(t.replyBy?.toISOString()).to.equal('2026-11-20T04:00:00.000Z');
    expect(t.signBy?.toISOString()).to.equal('2026-11-20T03:00:00.000Z');
  });

  it('when answered on the call (直办), it closes at once with the answer as the note and no deadlines', async () => {
    const t = await service.create(form({ requestType: 'consult', answeredOnCall: true, answer: '已告知供暖季室温标准为18℃' }), agent, 'phone');
    expect(t).to.include({ state: 'closed', handlingUnitId: null, currentUnitId: null, signBy: null, replyBy: null });
    expect(t.closedAt?.getTime()).to.equal(FRIDAY_10H);
    expect(t.events.map((e) => e.type)).to.deep.equal(['created', 'closed']);
    expect(t.events[1]?.note).to.equal('已告知供暖季室温标准为18℃');
  });

  it('when the category has no default unit and none is given, it asks for handlingUnitId', async () => {
    const err = await refusal(service.create(form({ categoryId: ids.noise }), agent, 'phone'));
    expect(err.issues).to.deep.equal([{ path: 'handlingUnitId', message: 'is required: the category names no default handling unit' }]);
    expect(tickets.rows).to.have.length(0);
  });

  it('when the category or unit is unknown or retired, it names the field', async () => {
    const unknownCategory = await refusal(service.create(form({ categoryId: 999 }), agent, 'phone'));
    expect(unknownCategory.issues).to.deep.equal([{ path: 'categoryId', message: 'names no category (999)' }]);
    const retired = await refusal(service.create(form({ categoryId: ids.old }), agent, 'phone'));
    expect(retired.issues[0]).to.deep.equal({ path: 'categoryId', message: 'names category 99 旧分类, which is no longer in use' });
    const unknownUnit = await refusal(service.create(form({ handlingUnitId: 42 }), agent, 'phone'));
    expect(unknownUnit.issues).to.deep.equal([{ path: 'handlingUnitId', message: 'names no handling unit (42)' }]);
    expect(tickets.rows).to.have.length(0);
  });

  it('when a unit user reads tickets, it sees only its own unit’s; others are not found', async () => {
    const ours = await service.create(form(), agent, 'phone');
    const theirs = await service.create(form({ handlingUnitId: cgwId }), agent, 'phone');
    const unitUser = { id: 30, role: 'unit', unitId: gnbId };
    expect((await service.get(ours.code, unitUser)).id).to.equal(ours.id);
    expect(await rejection(service.get(theirs.code, unitUser))).to.be.instanceOf(NotFoundError);
    const page = await service.listByPhone('13812345678', unitUser, { limit: 10, offset: 0 });
    expect(page.items.map((t) => t.code)).to.deep.equal([ours.code]);
    expect((await rejection(service.list({}, { id: 31, role: 'unit' }, { limit: 10, offset: 0 }))).code).to.equal('FORBIDDEN');
  });

  it('when the caller has history, it lists it newest first; a bad phone is refused', async () => {
    const first = await service.create(form(), agent, 'phone');
    now += 60_000;
    const second = await service.create(form(), agent, 'phone');
    await service.create(form({ residentPhone: '13900000000' }), agent, 'phone');
    const page = await service.listByPhone('13812345678', agent, { limit: 10, offset: 0 });
    expect(page.items.map((t) => t.code)).to.deep.equal([second.code, first.code]);
    expect(page.total).to.equal(2);
    const err = await refusal(service.listByPhone('abc', agent, { limit: 10, offset: 0 }));
    expect(err.issues).to.deep.equal([{ path: 'phone', message: PHONE_FIELD_MESSAGE }]);
  });
});
