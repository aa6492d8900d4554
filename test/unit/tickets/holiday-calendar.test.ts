import { readFile } from 'node:fs/promises';
import { expect } from 'chai';
import { ValidationError } from '../../../src/shared/app-error.js';
import { CalendarError, HolidayCalendar, parseCalendar } from '../../../src/tickets/holiday-calendar.js';

const SHIPPED = 'sql/seed/calendar-cn.yaml';
const fixture = (name: string): string => `test/fixtures/calendar/${name}`;

async function load(file: string, timeZone = 'Asia/Shanghai'): Promise<HolidayCalendar> {
  return parseCalendar(await readFile(file, 'utf8'), file, timeZone);
}

async function refusal(file: string): Promise<CalendarError> {
  try {
    await load(file);
  } catch (err) {
    expect(err).to.be.instanceOf(CalendarError);
    return err as CalendarError;
  }
  throw new Error(`${file} was accepted`);
}

/** `YYYY-MM-DD HH:MM` Shanghai wall clock (UTC+8, no DST) as an instant. */
const sh = (local: string): Date => new Date(`${local.replace(' ', 'T')}:00+08:00`);
/** The Shanghai wall clock of an instant, `YYYY-MM-DD HH:MM`. */
const wall = (d: Date): string => new Date(d.getTime() + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ');

describe('HolidayCalendar (sql/seed/calendar-cn.yaml, Asia/Shanghai)', () => {
  let cal: HolidayCalendar;

  before(async () => {
    cal = await load(SHIPPED);
  });

  describe('the shipped file', () => {
    it('when loaded, it covers 2025 to 2027, 2025 and 2026 official and 2027 provisional', () => {
      expect(cal.years).to.deep.equal([2025, 2026, 2027]);
      expect([2024, 2025, 2026, 2027, 2028].map((y) => cal.covers(y))).to.deep.equal([false, true, true, true, false]);
      expect([2025, 2026, 2027].map((y) => cal.isProvisional(y))).to.deep.equal([false, false, true]);
      expect(cal.timeZone).to.equal('Asia/Shanghai');
    });

    it('when asked about 2025 春节, it knows the Sunday before is a working day and 1-28..2-04 are holidays', () => {
      expect(cal.isWorkingDay(sh('2025-01-26 10:00'))).to.equal(true); // Sunday, 调休上班
      for (let d = 28; d <= 35; d++) {
        const day = sh(`2025-0${d <= 31 ? '1' : '2'}-${String(d <= 31 ? d : d - 31).padStart(2, '0')} 10:00`);
        expect(cal.isWorkingDay(day), wall(day)).to.equal(false);
        expect(cal.holidayName(day)).to.equal('春节');
      }
      expect(cal.isWorkingDay(sh('2025-02-05 10:00'))).to.equal(true);
      expect(cal.isWorkingDay(sh('2025-02-08 10:00'))).to.equal(true); // Saturday, 调休上班
    });

    it('when asked about 2025 劳动节 and 国庆节, it follows the notice day by day', () => {
      expect(cal.isWorkingDay(sh('2025-04-27 09:00'))).to.equal(true); // Sunday
      expect(['01', '02', '03', '04', '05'].map((d) => cal.isWorkingDay(sh(`2025-05-${d} 09:00`)))).to.deep.equal([false, false, false, false, false]);
      expect(cal.isWorkingDay(sh('2025-05-06 09:00'))).to.equal(true);
      expect(cal.isWorkingDay(sh('2025-09-28 09:00'))).to.equal(true); // Sunday
      const october = ['01', '02', '03', '04', '05', '06', '07', '08', '09', '10', '11', '12'].map((d) => cal.isWorkingDay(sh(`2025-10-${d} 09:00`)));
      expect(october).to.deep.equal([false, false, false, false, false, false, false, false, true, true, true, false]); // 10-11 Saturday works
      expect(cal.holidayName(sh('2025-10-06 09:00'))).to.equal('国庆节、中秋节');
      expect(cal.holidayName(sh('2025-10-09 09:00'))).to.equal(undefined);
    });

    it('when asked about 2026, it follows the notice of 2025-11-04 (春节 9 days, 1-04 and 2-14 worked)', () => {
      expect(cal.isWorkingDay(sh('2026-01-02 09:00'))).to.equal(false);
      expect(cal.isWorkingDay(sh('2026-01-04 09:00'))).to.equal(true);
      expect(cal.isWorkingDay(sh('2026-02-14 09:00'))).to.equal(true);
      expect(cal.isWorkingDay(sh('2026-02-23 09:00'))).to.equal(false);
      expect(cal.isWorkingDay(sh('2026-02-24 09:00'))).to.equal(true);
      expect(cal.isWorkingDay(sh('2026-10-10 09:00'))).to.equal(true);
    });

    it('when asked about provisional 2027, it has the statutory days only (春节 from 除夕 2-05)', () => {
      expect(cal.holidayName(sh('2027-02-05 09:00'))).to.equal('春节');
      expect(cal.isWorkingDay(sh('2027-02-08 09:00'))).to.equal(false); // 初三, Monday
      expect(cal.isWorkingDay(sh('2027-02-09 09:00'))).to.equal(true); // no guessed bridge days
      expect(cal.isWorkingDay(sh('2027-09-15 09:00'))).to.equal(false); // 中秋
    });

    it('when a year is not covered, it falls back to weekends only', () => {
      expect(cal.isWorkingDay(sh('2028-10-02 09:00'))).to.equal(true); // Monday; 国庆 unknown for 2028
      expect(cal.isWorkingDay(sh('2028-10-07 09:00'))).to.equal(false); // Saturday
      expect(cal.addWorkingDays(sh('2024-12-31 10:00'), 1).toISOString()).to.equal(sh('2025-01-02 10:00').toISOString()); // into covered 2025: 元旦 skipped
    });
  });

  describe('addWorkingDays', () => {
    it('when a deadline crosses 国庆, 2025-09-30 10:00 + 1 working day is 2025-10-09 10:00', () => {
      expect(wall(cal.addWorkingDays(sh('2025-09-30 10:00'), 1))).to.equal('2025-10-09 10:00');
      expect(wall(cal.addWorkingDays(sh('2025-09-30 10:00'), 4))).to.equal('2025-10-13 10:00'); // 10-09, 10-10, 10-11 (Sat, worked), 10-13
    });

    it('when a deadline crosses a 调休 weekend, the worked Saturday or Sunday counts', () => {
      // Friday 2025-01-24 + 1 → Sunday 2025-01-26 (worked); + 2 → Monday 01-27; + 3 → 2-05 after 春节.
      expect(wall(cal.addWorkingDays(sh('2025-01-24 16:30'), 1))).to.equal('2025-01-26 16:30');
      expect(wall(cal.addWorkingDays(sh('2025-01-24 16:30'), 2))).to.equal('2025-01-27 16:30');
      expect(wall(cal.addWorkingDays(sh('2025-01-24 16:30'), 3))).to.equal('2025-02-05 16:30');
      // Friday 2025-04-25 + 1 → Sunday 04-27 (worked), + 4 → 04-30, + 5 → 05-06 after 劳动节.
      expect(wall(cal.addWorkingDays(sh('2025-04-25 09:00'), 1))).to.equal('2025-04-27 09:00');
      expect(wall(cal.addWorkingDays(sh('2025-04-25 09:00'), 5))).to.equal('2025-05-06 09:00');
    });

    it('when 0 days are added on a holiday, it returns the same instant; counting from it, the first working day is day 1', () => {
      expect(cal.addWorkingDays(sh('2025-10-03 11:15'), 0).toISOString()).to.equal(sh('2025-10-03 11:15').toISOString());
      expect(wall(cal.addWorkingDays(sh('2025-10-03 11:15'), 1))).to.equal('2025-10-09 11:15');
    });

    it('when days are negative or fractional, it refuses', () => {
      expect(() => cal.addWorkingDays(sh('2025-10-03 11:15'), -1)).to.throw(RangeError);
      expect(() => cal.addWorkingDays(sh('2025-10-03 11:15'), 1.5)).to.throw(RangeError);
    });
  });

  describe('workingDaysBetween', () => {
    it('when a deadline passed over 国庆, it counts whole working days overdue', () => {
      const deadline = sh('2025-09-30 10:00');
      expect(cal.workingDaysBetween(deadline, sh('2025-10-08 23:00'))).to.equal(0);
      expect(cal.workingDaysBetween(deadline, sh('2025-10-09 09:59'))).to.equal(0);
      expect(cal.workingDaysBetween(deadline, sh('2025-10-09 10:00'))).to.equal(1);
      expect(cal.workingDaysBetween(deadline, sh('2025-10-13 10:00'))).to.equal(4); // 10-09, 10-10, 10-11 (Sat, worked), 10-13
    });

    it('when the end is before the start, it is negative: working days still left', () => {
      expect(cal.workingDaysBetween(sh('2025-10-13 10:00'), sh('2025-09-30 10:00'))).to.equal(-4);
      expect(cal.workingDaysBetween(sh('2025-09-30 10:00'), sh('2025-09-30 10:00'))).to.equal(0);
    });

    it('when n working days are added, the count back is n', () => {
      const from = sh('2025-12-30 15:00');
      for (const n of [0, 1, 3, 10, 40]) expect(cal.workingDaysBetween(from, cal.addWorkingDays(from, n))).to.equal(n);
    });
  });

  describe('nextWorkingDayStart', () => {
    it('when it is a holiday or a working evening, it is 00:00 of the next working day', () => {
      expect(wall(cal.nextWorkingDayStart(sh('2025-10-01 09:00')))).to.equal('2025-10-09 00:00');
      expect(wall(cal.nextWorkingDayStart(sh('2025-10-10 18:00')))).to.equal('2025-10-11 00:00'); // Saturday, worked
      expect(wall(cal.nextWorkingDayStart(sh('2025-01-24 20:00')))).to.equal('2025-01-26 00:00'); // Sunday, worked
    });
  });

  describe('time zone', () => {
    it('when an instant is late on a UTC day but already the next day in Shanghai, it uses the Shanghai day', () => {
      // 2025-09-30T17:00Z is 2025-10-01 01:00 in Shanghai: 国庆, not the working Tuesday of UTC.
      const late = new Date('2025-09-30T17:00:00.000Z');
      expect(cal.isWorkingDay(late)).to.equal(false);
      expect(cal.holidayName(late)).to.equal('国庆节、中秋节');
      expect(cal.addWorkingDays(late, 1).toISOString()).to.equal('2025-10-08T17:00:00.000Z'); // 10-09 01:00 Shanghai
      // 2025-01-25T16:30Z is Sunday 2025-01-26 00:30 in Shanghai: a 调休 working day.
      expect(cal.isWorkingDay(new Date('2025-01-25T16:30:00.000Z'))).to.equal(true);
      expect(cal.isWorkingDay(new Date('2025-01-25T15:30:00.000Z'))).to.equal(false); // still Saturday 23:30
    });
  });
});

describe('parseCalendar refusals', () => {
  it('when a date does not exist, it names the file, the year and the entry', async () => {
    const err = await refusal(fixture('bad-date.yaml'));
    expect(err.code).to.equal('CALENDAR_INVALID');
    expect(err).to.be.instanceOf(ValidationError);
    expect(err.message).to.equal('test/fixtures/calendar/bad-date.yaml: 2025: holidays[0] 春节 dates[1] "2025-02-30" is not a calendar date');
    expect(err.problems).to.deep.equal([{ year: '2025', entry: 'holidays[0] 春节 dates[1] "2025-02-30"', reason: 'is not a calendar date' }]);
  });

  it('when a date is both a holiday and a workday, it refuses the workday entry', async () => {
    expect((await refusal(fixture('holiday-and-workday.yaml'))).message).to.equal(
      'test/fixtures/calendar/holiday-and-workday.yaml: 2025: workdays[1] "2025-10-11" is listed both as a holiday and as a workday (also at holidays[0] 国庆节 dates[1])',
    );
  });

  it('when a date lies outside the year it is filed under, it refuses it', async () => {
    expect((await refusal(fixture('outside-year.yaml'))).message).to.equal(
      'test/fixtures/calendar/outside-year.yaml: 2025: holidays[0] 元旦 dates[0] "2026-01-01" is not in 2025 (file each date under its own year)',
    );
  });

  it('when a make-up workday is a weekday, it says which weekday', async () => {
    expect((await refusal(fixture('weekday-workday.yaml'))).message).to.equal(
      'test/fixtures/calendar/weekday-workday.yaml: 2025: workdays[0] "2025-10-09" is a Thursday (周四): a make-up workday (调休上班) is always a Saturday or Sunday',
    );
  });

  it('when a date is listed twice, it names both places', async () => {
    expect((await refusal(fixture('duplicate-date.yaml'))).message).to.equal(
      'test/fixtures/calendar/duplicate-date.yaml: 2025: holidays[1] 中秋节 dates[0] "2025-10-06" is listed twice (also at holidays[0] 国庆节 dates[1])',
    );
  });

  it('when the file is for another time zone, it refuses rather than shifting the days', async () => {
    expect((await refusal(fixture('wrong-time-zone.yaml'))).message).to.equal(
      'test/fixtures/calendar/wrong-time-zone.yaml: timeZone is "Europe/Berlin" but the server runs in "Asia/Shanghai": the dates are days of the file\'s zone',
    );
  });

  it('when a key is misspelt, it names it instead of dropping the 调休 days', async () => {
    const err = await refusal(fixture('unknown-key.yaml'));
    expect(err.message).to.equal('test/fixtures/calendar/unknown-key.yaml: 2025: unknown key workday (expected { provisional, source, holidays, workdays })');
  });

  it('when the YAML does not parse, it gives the line', async () => {
    expect((await refusal(fixture('not-yaml.yaml'))).message).to.match(/^test\/fixtures\/calendar\/not-yaml\.yaml: line \d+ YAML syntax: /);
  });

  it('when several problems are in one file, it lists them all', () => {
    const text = 'years:\n  2025:\n    provisional: false\n    holidays: [{ name: 元旦, dates: ["2025-13-01"] }]\n    workdays: ["2025-10-09", "2024-12-29"]\n';
    try {
      parseCalendar(text, 'inline.yaml', 'Asia/Shanghai');
      expect.fail('accepted');
    } catch (err) {
      expect((err as CalendarError).problems.map((p) => p.entry)).to.deep.equal(['holidays[0] 元旦 dates[0] "2025-13-01"', 'workdays[0] "2025-10-09"', 'workdays[1] "2024-12-29"']);
    }
  });

  it('when the server time zone is unknown, it refuses', () => {
    expect(() => parseCalendar('years:\n  2025: { provisional: false }\n', 'inline.yaml', 'Asia/Nowhere')).to.throw(CalendarError, /unknown time zone "Asia\/Nowhere"/);
  });
});
