import { expect } from 'chai';
import { OPEN_STATES, orderStep, TicketOrderLookup, type TicketReader } from '../../../src/calls/ticket-order-lookup.js';
import { NotFoundError, ValidationError } from '../../../src/shared/app-error.js';
import type { Ticket, TicketActor } from '../../../src/tickets/ticket.js';

/** Only the fields the lookup reads; the rest does not matter here. */
function ticket(fields: Partial<Ticket>): Ticket {
  return {
    code: '20261203-000123',
    residentPhone: '13800138123',
    createdAt: new Date('2026-12-02T17:30:00Z'), // 2026-12-03 01:30 in Shanghai
    state: 'signed',
    handlingUnitId: 7,
    currentUnitId: 7,
    replyBy: new Date('2026-12-17T09:00:00Z'),
    ...fields,
  } as Ticket;
}

function reader(tickets: Ticket[], listError?: Error): TicketReader & { viewers: TicketActor[]; filters: unknown[] } {
  const viewers: TicketActor[] = [];
  const filters: unknown[] = [];
  return {
    viewers,
    filters,
    get: (code, viewer) => {
      viewers.push(viewer);
      const found = tickets.find((t) => t.code === code);
      return found ? Promise.resolve(found) : Promise.reject(new NotFoundError(`no ticket ${code}`));
    },
    list: (filter, viewer) => {
      viewers.push(viewer);
      filters.push(filter);
      if (listError) return Promise.reject(listError);
      return Promise.resolve({ items: tickets.filter((t) => t.residentPhone === filter.phone) });
    },
  };
}

const units = { get: (id: number) => Promise.resolve(id === 7 ? { name: '朝阳区水务局' } : undefined) };

describe('TicketOrderLookup', () => {
  it('when a code is keyed as 14 digits, it finds the order as the system and gives days in the centre\'s time zone', async () => {
    const tickets = reader([ticket({})]);
    const lookup = new TicketOrderLookup({ tickets, units, timeZone: 'Asia/Shanghai' });
    expect(await lookup.byCode('20261203000123')).to.deep.equal({
      code: '20261203-000123',
      residentPhone: '13800138123',
      acceptedDay: '20261203',
      unitName: '朝阳区水务局',
      step: 'signed',
      replyByDay: '20261217',
      reply: null,
    });
    expect(tickets.viewers[0]?.role).to.equal('system');
  });

  it('when the order is replied or closed, it gives the reply; once reopened (重办) it gives none', async () => {
    const lookup = (state: Ticket['state']) => new TicketOrderLookup({ tickets: reader([ticket({ state, replyContent: '已修复。' })]), units, timeZone: 'Asia/Shanghai' });
    expect((await lookup('replied').byCode('20261203-000123'))?.reply).to.equal('已修复。');
    expect((await lookup('closed').byCode('20261203-000123'))?.reply).to.equal('已修复。');
    expect((await lookup('signed').byCode('20261203-000123'))?.reply).to.equal(null);
  });

  it('when the code is unknown or not a code, it answers undefined', async () => {
    const lookup = new TicketOrderLookup({ tickets: reader([]), units, timeZone: 'Asia/Shanghai' });
    expect(await lookup.byCode('20261203000999')).to.equal(undefined);
    expect(await lookup.byCode('1245')).to.equal(undefined);
  });

  it('when asked for a number\'s open orders, it filters on the open states; a number the service refuses has none', async () => {
    const tickets = reader([ticket({ currentUnitId: null, handlingUnitId: null, replyBy: null, state: 'dispatched' })]);
    const lookup = new TicketOrderLookup({ tickets, units, timeZone: 'Asia/Shanghai' });
    const [first] = await lookup.openByPhone('13800138123', 5);
    expect(first).to.include({ unitName: null, step: 'dispatched', replyByDay: null });
    expect(tickets.filters[0]).to.deep.equal({ phone: '13800138123', states: OPEN_STATES });
    const refusing = new TicketOrderLookup({ tickets: reader([], new ValidationError('phone', [])), units, timeZone: 'Asia/Shanghai' });
    expect(await refusing.openByPhone('sipp', 5)).to.deep.equal([]);
  });

  it('when mapping the lifecycle, each state becomes one of the five steps a resident hears', () => {
    expect(['created', 'dispatched', 'returned', 'signed', 'in-progress', 'replied', 'reviewed', 'surveyed', 'closed'].map((s) => orderStep(s as Ticket['state']))).to.deep.equal([
      'dispatched', 'dispatched', 'dispatched', 'signed', 'in-progress', 'replied', 'replied', 'closed', 'closed',
    ]);
    expect(OPEN_STATES).to.not.include('closed');
  });
});
