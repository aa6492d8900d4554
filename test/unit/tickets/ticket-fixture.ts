import sinon from 'sinon';
import { silentLogger } from '../../../src/logging/logger.js';
import { ValidationError, type AppError } from '../../../src/shared/app-error.js';
import type { Clock } from '../../../src/shared/clock.js';
import { TicketService, type TicketServiceDeps } from '../../../src/tickets/ticket-service.js';
import type { TicketActor, TicketWithEvents } from '../../../src/tickets/ticket.js';
import { WeekendOnlyCalendar } from '../../../src/tickets/working-day-calendar.js';
import { MemoryCategories, MemoryTickets, MemoryUnits, smallCatalog } from './memory-ticket-store.js';

// Friday 2026-11-20 10:00 in Shanghai.
export const FRIDAY_10H = Date.parse('2026-11-20T02:00:00.000Z');
export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

export const agent: TicketActor = { id: 7, role: 'agent' };
export const supervisor: TicketActor = { id: 8, role: 'supervisor' };
export const admin: TicketActor = { id: 9, role: 'admin' };

export const GOOD_REPLY = {
  content: '经现场核实，供热管道阀门故障，已于11月21日更换阀门，室温恢复至19度，居民认可。',
  handlerName: '李明',
  handlerPhone: '01065120001',
};

export interface TicketFixture {
  readonly service: TicketService;
  readonly tickets: MemoryTickets;
  readonly ids: Record<string, number>;
  readonly gnbId: number;
  readonly cgwId: number;
  readonly unitUser: TicketActor;
  /** Moves the fake clock. */
  advance(ms: number): void;
  setNow(ms: number): void;
  now(): number;
  /** A heating (室温不达标) order from 13812345678, dispatched to GNB. */
  order(over?: Record<string, unknown>): Promise<TicketWithEvents>;
  /** Runs the action with the ticket's current version. */
  act(code: string, action: Parameters<TicketService['act']>[1], body: Record<string, unknown>, actor: TicketActor): Promise<TicketWithEvents>;
}

/** The ticket service over in-memory stores, a weekend-only calendar and a fake clock at Friday 10:00. */
export async function ticketFixture(over: Partial<TicketServiceDeps> = {}): Promise<TicketFixture> {
  const tickets = new MemoryTickets();
  const units = new MemoryUnits();
  const categories = new MemoryCategories();
  const catalog = await smallCatalog(units, categories);
  let now = FRIDAY_10H;
  const clock: Clock = { now: () => now, setTimeout: sinon.stub(), clearTimeout: sinon.stub() };
  const service = new TicketService({ tickets, categories, units, calendar: new WeekendOnlyCalendar('Asia/Shanghai'), clock, timeZone: 'Asia/Shanghai', logger: silentLogger(), ...over });
  let phone = 13812345678;
  return {
    service,
    tickets,
    ids: catalog.ids,
    gnbId: catalog.gnb.id,
    cgwId: catalog.cgw.id,
    unitUser: { id: 30, role: 'unit', unitId: catalog.gnb.id },
    advance: (ms) => {
      now += ms;
    },
    setNow: (ms) => {
      now = ms;
    },
    now: () => now,
    // A new phone each time, so orders are not linked as duplicates unless a test asks for it.
    order: (o = {}) =>
      service.create(
        { requestType: 'help', categoryId: catalog.ids.cold, content: '家中室温只有十四度，暖气不热', address: '朝阳门北大街3号楼', residentPhone: String(phone++), ...o },
        agent,
        'phone',
      ),
    act: async (code, action, body, actor) => {
      const current = await tickets.findByCode(code);
      return service.act(code, action, { version: current?.version, ...body }, actor, 'web');
    },
  };
}

export async function rejection(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (err) {
    return err as AppError;
  }
  throw new Error('expected a rejection');
}

export async function refusal(promise: Promise<unknown>): Promise<ValidationError> {
  const err = await rejection(promise);
  if (!(err instanceof ValidationError)) throw new Error(`expected a ValidationError, got ${String(err)}`);
  return err;
}
