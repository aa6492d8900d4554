import { expect } from 'chai';
import { localDay, formatTicketCode } from '../../../src/tickets/ticket-code.js';
import { WeekendOnlyCalendar } from '../../../src/tickets/working-day-calendar.js';

describe('WeekendOnlyCalendar (Asia/Shanghai)', () => {
  const calendar = new WeekendOnlyCalendar('Asia/Shanghai');

  it('when a day is added on a Friday, it lands on Monday at the same local time', () => {
    // 2026-11-20 is a Friday; 10:00 in Shanghai is 02:00 UTC.
    expect(calendar.addWorkingDays(new Date('2026-11-20T02:00:00.000Z'), 1).toISOString()).to.equal('2026-11-23T02:00:00.000Z');
  });

  it('when counting from a Saturday, Monday is the first working day', () => {
    expect(calendar.addWorkingDays(new Date('2026-11-21T02:00:00.000Z'), 1).toISOString()).to.equal('2026-11-23T02:00:00.000Z');
    expect(calendar.addWorkingDays(new Date('2026-11-21T02:00:00.000Z'), 4).toISOString()).to.equal('2026-11-26T02:00:00.000Z');
  });

  it('when the UTC date is still Friday but Shanghai is already Saturday, it uses the Shanghai day', () => {
    const lateFridayUtc = new Date('2026-11-20T17:00:00.000Z'); // Saturday 01:00 in Shanghai
    expect(calendar.isWorkingDay(lateFridayUtc)).to.equal(false);
    expect(calendar.addWorkingDays(lateFridayUtc, 1).toISOString()).to.equal('2026-11-22T17:00:00.000Z'); // Monday 01:00
  });

  it('when zero days are added, it returns the same instant; negative days are refused', () => {
    expect(calendar.addWorkingDays(new Date('2026-11-20T02:00:00.123Z'), 0).toISOString()).to.equal('2026-11-20T02:00:00.123Z');
    expect(() => calendar.addWorkingDays(new Date(), -1)).to.throw(RangeError);
  });

  it('when a zone has summer time, it keeps the local time of day across the change', () => {
    const berlin = new WeekendOnlyCalendar('Europe/Berlin');
    // Friday 2026-03-27 10:00 CET (09:00Z) + 1 working day → Monday 2026-03-30 10:00 CEST (08:00Z).
    expect(berlin.addWorkingDays(new Date('2026-03-27T09:00:00.000Z'), 1).toISOString()).to.equal('2026-03-30T08:00:00.000Z');
  });
});

describe('ticket codes', () => {
  it('when a ticket is created after 16:00 UTC, its code carries the next Shanghai day', () => {
    expect(localDay(new Date('2026-11-21T16:30:00.000Z'), 'Asia/Shanghai')).to.equal('20261122');
    expect(localDay(new Date('2026-11-21T15:59:59.999Z'), 'Asia/Shanghai')).to.equal('20261121');
  });

  it('when formatted, the sequence is zero-padded to six digits and out-of-range numbers are refused', () => {
    expect(formatTicketCode('20261122', 123)).to.equal('20261122-000123');
    expect(() => formatTicketCode('20261122', 1_000_000)).to.throw(/out of range/);
    expect(() => formatTicketCode('2026112', 1)).to.throw(/YYYYMMDD/);
  });
});
