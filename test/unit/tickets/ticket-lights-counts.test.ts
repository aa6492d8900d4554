import { readFile } from 'node:fs/promises';
import { expect } from 'chai';
import { parseCalendar, type HolidayCalendar } from '../../../src/tickets/holiday-calendar.js';
import { overdueWorkingDays, remainingWorkingDays } from '../../../src/tickets/ticket-lights.js';
import { WeekendOnlyCalendar, type WorkingDayCalendar } from '../../../src/tickets/working-day-calendar.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** `YYYY-MM-DD HH:MM` Shanghai wall clock (UTC+8, no DST) as an instant. */
const sh = (local: string): Date => new Date(`${local.replace(' ', 'T')}:00+08:00`);

/**
 * The definition the counts had before they were made linear: the largest n ≤ 366 with
 * addWorkingDays(from, n) ≤ to. The instants from + 1, 2, … working days are listed once per `from`.
 */
function reference(from: Date, calendar: WorkingDayCalendar, upTo: number): (to: Date) => number {
  const steps: number[] = [];
  for (let n = 1; n <= upTo; n++) steps.push(calendar.addWorkingDays(from, n).getTime());
  return (to) => {
    let n = 0;
    while (n < steps.length && (steps[n] ?? Infinity) <= to.getTime()) n++;
    return n;
  };
}

/** Start instants around 元旦, 春节, 劳动节 and 国庆节 2026 with their 调休 working weekends, at three times of day. */
function starts(): Date[] {
  const out: Date[] = [];
  for (const day of ['2025-12-30', '2026-01-03', '2026-02-11', '2026-02-14', '2026-02-27', '2026-04-30', '2026-05-08', '2026-09-18', '2026-09-30', '2026-10-09']) {
    for (const time of ['00:00', '09:30', '23:59']) out.push(sh(`${day} ${time}`));
  }
  return out;
}

/** Later instants: whole days, whole days minus a minute and plus an hour, up to ~9 weeks out. */
function offsets(): number[] {
  const out: number[] = [];
  for (let d = 0; d <= 63; d++) out.push(d * DAY, d * DAY - 60_000, d * DAY + HOUR);
  return out;
}

describe('ticket lights: working-day counts', () => {
  let holidays: HolidayCalendar;
  before(async () => {
    const file = 'sql/seed/calendar-cn.yaml';
    holidays = parseCalendar(await readFile(file, 'utf8'), file, 'Asia/Shanghai');
  });

  for (const name of ['holiday calendar (sql/seed/calendar-cn.yaml)', 'weekend-only calendar'] as const) {
    it(`when counted on the ${name} around weekends, holidays and 调休 working weekends, remaining and overdue days match the day-by-day definition`, () => {
      const calendar: WorkingDayCalendar = name === 'weekend-only calendar' ? new WeekendOnlyCalendar('Asia/Shanghai') : holidays;
      let compared = 0;
      for (const from of starts()) {
        // 64 days hold fewer than 64 working days: listing 64 steps covers every offset.
        const expected = reference(from, calendar, 64);
        for (const offset of offsets()) {
          const to = new Date(from.getTime() + offset);
          // remaining: from now to the deadline; overdue: from the deadline to now.
          expect(remainingWorkingDays(to, from, calendar), `remaining from ${from.toISOString()} to ${to.toISOString()}`).to.equal(expected(to));
          expect(overdueWorkingDays(from, to, calendar), `overdue from ${from.toISOString()} to ${to.toISOString()}`).to.equal(expected(to));
          compared++;
        }
      }
      expect(compared).to.equal(30 * 192);
    });
  }

  it('when the deadline is before now, nothing is left; when it is far off, the count stops at 366 as before', () => {
    const now = sh('2026-03-02 10:00');
    expect(remainingWorkingDays(sh('2026-02-27 10:00'), now, holidays)).to.equal(0);
    expect(overdueWorkingDays(sh('2026-03-03 10:00'), now, holidays)).to.equal(0);
    expect(remainingWorkingDays(new Date(now.getTime() + 3 * 365 * DAY), now, holidays)).to.equal(366);
    expect(overdueWorkingDays(new Date(now.getTime() - 10 * 365 * DAY), now, holidays)).to.equal(366);
    // 春节 2026: 02-14 (Saturday) is a make-up working day, 02-15 to 02-23 are off.
    expect(remainingWorkingDays(sh('2026-02-24 10:00'), sh('2026-02-13 10:00'), holidays)).to.equal(2);
  });

  it('when an order is 70 working days out, the calendar is walked once over the days between, not once per day counted', () => {
    const now = sh('2026-03-02 10:00');
    const deadline = holidays.addWorkingDays(now, 70);
    let adds = 0;
    let betweens = 0;
    const counting: WorkingDayCalendar = {
      isWorkingDay: (d) => holidays.isWorkingDay(d),
      addWorkingDays: (d, n) => {
        adds++;
        return holidays.addWorkingDays(d, n);
      },
      workingDaysBetween: (a, b) => {
        betweens++;
        return holidays.workingDaysBetween(a, b);
      },
    };
    expect(remainingWorkingDays(deadline, now, counting)).to.equal(70);
    expect(overdueWorkingDays(now, deadline, counting)).to.equal(70);
    expect({ adds, betweens }).to.deep.equal({ adds: 0, betweens: 2 });
  });
});
