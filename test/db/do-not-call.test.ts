import { expect } from 'chai';
import { fileURLToPath } from 'node:url';
import sinon from 'sinon';
import { SequelizeCategoryRepository } from '../../src/db/category-repository.js';
import * as m0008 from '../../src/db/migrations/0008-do-not-call.js';
import { seedIfEmpty } from '../../src/db/seed-loader.js';
import { SequelizeTicketRepository } from '../../src/db/ticket-repository.js';
import { SequelizeUnitRepository } from '../../src/db/unit-repository.js';
import { silentLogger } from '../../src/logging/logger.js';
import type { Clock } from '../../src/shared/clock.js';
import { TicketService } from '../../src/tickets/ticket-service.js';
import type { TicketActor, TicketWithEvents } from '../../src/tickets/ticket.js';
import { WeekendOnlyCalendar } from '../../src/tickets/working-day-calendar.js';
import { openTestDatabase, testDbKind, type TestDatabase } from '../support/test-database.js';

const SEED_DIR = fileURLToPath(new URL('../../sql/seed/', import.meta.url));
const REPLY = { content: '经现场核实，供热管道阀门故障，已于11月21日更换阀门，室温恢复至19度，居民认可。', handlerName: '李明', handlerPhone: '01065120001' };

describe(`do-not-call orders and survey calls on ${testDbKind()}`, () => {
  let testDb: TestDatabase;
  let service: TicketService;
  let gnb: TicketActor;
  let heatingId: number;
  const agent = { id: 7, role: 'agent' };
  const supervisor = { id: 8, role: 'supervisor' };
  let phone = 13800000000;

  beforeEach(async () => {
    testDb = await openTestDatabase();
    const sequelize = testDb.db.sequelize;
    // Until 0008 is in migration-list.ts the column is added here; afterwards this is a no-op.
    const qi = sequelize.getQueryInterface();
    if (!('do_not_call' in (await qi.describeTable('tickets')))) await m0008.up({ context: qi });
    await seedIfEmpty(sequelize, SEED_DIR);
    const units = new SequelizeUnitRepository(sequelize);
    const categories = new SequelizeCategoryRepository(sequelize);
    heatingId = (await categories.list()).find((c) => c.name === '室温不达标')?.id ?? 0;
    gnb = { id: 40, role: 'unit', unitId: (await units.getByCode('GNB'))?.id ?? 0 };
    const clock: Clock = { now: () => Date.parse('2026-11-20T02:00:00.000Z'), setTimeout: sinon.stub(), clearTimeout: sinon.stub() };
    service = new TicketService({ tickets: new SequelizeTicketRepository(sequelize), categories, units, calendar: new WeekendOnlyCalendar('Asia/Shanghai'), clock, timeZone: 'Asia/Shanghai', logger: silentLogger() });
  });

  afterEach(async () => {
    sinon.restore();
    await testDb.drop();
  });

  async function reviewed(over: Record<string, unknown> = {}): Promise<TicketWithEvents> {
    const t = await service.create(
      { requestType: 'help', categoryId: heatingId, content: '家中室温只有十四度，暖气不热', address: '朝阳门北大街3号楼', residentPhone: String(phone++), ...over },
      agent,
      'phone',
    );
    let v = t.version;
    for (const [action, body, actor] of [
      ['sign', {}, gnb],
      ['reply', REPLY, gnb],
      ['review-approve', {}, supervisor],
    ] as const) {
      v = (await service.act(t.code, action, { version: v, ...body }, actor, 'web')).version;
    }
    return (await service.get(t.code, supervisor));
  }

  it('when an order is taken as do-not-call, the flag is stored and the order is never a survey candidate', async () => {
    const quiet = await reviewed({ doNotCall: true });
    const normal = await reviewed();
    expect(quiet.doNotCall).to.equal(true);
    expect(normal.doNotCall).to.equal(false);
    expect((await service.get(quiet.code, agent)).doNotCall).to.equal(true);
    expect((await service.surveyCandidates(10)).map((t) => t.code)).to.deep.equal([normal.code]);
  });

  it('when the flag is not a boolean, the form is refused naming doNotCall', async () => {
    let issues: unknown;
    await service
      .create({ requestType: 'consult', categoryId: heatingId, content: '咨询供暖开始的日期和收费标准', residentPhone: '13900000000', doNotCall: 'yes' }, agent, 'phone')
      .catch((err: unknown) => (issues = (err as { issues?: unknown }).issues));
    expect(JSON.stringify(issues)).to.contain('doNotCall');
  });

  it('when survey calls are recorded, they are counted per round and leave the version alone', async () => {
    const t = await reviewed();
    const at = new Date('2026-11-20T03:00:00.000Z');
    const base = { ticketId: t.id, round: 0, satisfaction: null, resolution: null, target: `tel:${t.residentPhone}`, callId: null, by: 'ivr' as const };
    await service.recordSurveyCall({ ...base, attempt: 1, result: 'no-answer', at });
    await service.recordSurveyCall({ ...base, attempt: 2, result: 'busy', at: new Date(at.getTime() + 3_600_000) });
    await service.recordSurveyCall({ ...base, round: 1, attempt: 1, result: 'busy', at });
    const history = await service.surveyCalls([t]);
    expect(history.get(t.id)).to.deep.equal({ attempts: 2, lastAttemptAt: new Date(at.getTime() + 3_600_000) });
    const after = await service.get(t.code, supervisor);
    expect(after.version).to.equal(t.version);
    expect(after.events.filter((e) => e.type === 'survey-call').map((e) => e.data.result)).to.deep.equal(['no-answer', 'busy', 'busy']);
  });
});
