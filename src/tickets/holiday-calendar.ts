import { parseDocument } from 'yaml';
import { z } from 'zod';
import { ValidationError } from '../shared/app-error.js';
import { toFieldIssues } from './parse-with-issues.js';
import { countWorkingDays, type WorkingDayCalendar } from './working-day-calendar.js';

/**
 * China's official working-day calendar: Monday to Friday, minus the public holidays (放假) and plus
 * the make-up working days (调休上班) of the State Council's yearly notice (国务院办公厅关于YYYY年部分节假日
 * 安排的通知). The data is sql/seed/calendar-cn.yaml, parsed by `parseCalendar`; this module does no I/O.
 * Years the data does not cover fall back to weekends only (`covers(year)` lets the server warn).
 */

const MS_PER_DAY = 86_400_000;
const WEEKDAYS = ['Sunday (周日)', 'Monday (周一)', 'Tuesday (周二)', 'Wednesday (周三)', 'Thursday (周四)', 'Friday (周五)', 'Saturday (周六)'] as const;

/** One calendar year of the data; dates are local days `YYYY-MM-DD` in the calendar's time zone. */
export interface CalendarYear {
  readonly year: number;
  /** True while the State Council notice is not out: statutory days only, no 调休. */
  readonly provisional: boolean;
  /** Days off (休), date → holiday name (春节 …). */
  readonly holidays: ReadonlyMap<string, string>;
  /** Make-up working days (调休上班), each a Saturday or Sunday. */
  readonly workdays: ReadonlySet<string>;
}

export class HolidayCalendar implements WorkingDayCalendar {
  private readonly format: Intl.DateTimeFormat;
  private readonly byYear: ReadonlyMap<number, CalendarYear>;

  /** Throws RangeError for an unknown time zone. */
  constructor(
    readonly timeZone: string,
    years: readonly CalendarYear[],
  ) {
    this.format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    this.byYear = new Map(years.map((y) => [y.year, y]));
  }

  /** The years the data lists, ascending. */
  get years(): number[] {
    return [...this.byYear.keys()].sort((a, b) => a - b);
  }

  /** True when the data lists `year`; outside it only weekends are known (warn the operator). */
  covers(year: number): boolean {
    return this.byYear.has(year);
  }

  /** True when `year` is listed from statutory dates only (no official notice yet). */
  isProvisional(year: number): boolean {
    return this.byYear.get(year)?.provisional ?? false;
  }

  isWorkingDay(instant: Date): boolean {
    return this.isWorkingLocalDay(this.localAsUtc(instant.getTime()));
  }

  /** The holiday (春节, 国庆节 …) of the local day holding `instant`, or undefined on any other day. */
  holidayName(instant: Date): string | undefined {
    const local = this.localAsUtc(instant.getTime());
    return this.byYear.get(new Date(local).getUTCFullYear())?.holidays.get(dayKey(local));
  }

  addWorkingDays(from: Date, days: number): Date {
    if (!Number.isInteger(days) || days < 0) throw new RangeError(`working days must be a whole number ≥ 0, not ${days}`);
    // Step on the local wall clock (as if it were UTC) so a DST change cannot shift the time of day.
    let local = this.localAsUtc(from.getTime());
    let left = days;
    while (left > 0) {
      local += MS_PER_DAY;
      if (this.isWorkingLocalDay(local)) left--;
    }
    return new Date(this.toInstant(local));
  }

  /**
   * Whole working days from `from` to `to`: the largest n with `addWorkingDays(from, n)` not after `to`
   * (so a deadline of Friday 10:00 is 1 working day overdue from Monday 10:00, 0 at Monday 09:59).
   * Negative, -workingDaysBetween(to, from), when `to` is before `from`: working days still left.
   */
  workingDaysBetween(from: Date, to: Date): number {
    if (to.getTime() < from.getTime()) return -this.workingDaysBetween(to, from);
    return countWorkingDays(this.localAsUtc(from.getTime()), this.localAsUtc(to.getTime()), (local) => this.isWorkingLocalDay(local));
  }

  /** 00:00 local time of the first working day after the local day holding `instant`. */
  nextWorkingDayStart(instant: Date): Date {
    let local = this.localAsUtc(instant.getTime());
    local -= ((local % MS_PER_DAY) + MS_PER_DAY) % MS_PER_DAY;
    do local += MS_PER_DAY;
    while (!this.isWorkingLocalDay(local));
    return new Date(this.toInstant(local));
  }

  /** `local` is a wall-clock time expressed as if it were UTC. */
  private isWorkingLocalDay(local: number): boolean {
    const date = new Date(local);
    const year = this.byYear.get(date.getUTCFullYear());
    if (year !== undefined) {
      const key = dayKey(local);
      if (year.workdays.has(key)) return true;
      if (year.holidays.has(key)) return false;
    }
    const weekday = date.getUTCDay();
    return weekday !== 0 && weekday !== 6;
  }

  // The two helpers below are those of WeekendOnlyCalendar (private there), kept identical.

  /** The local wall-clock time of `epochMs` expressed as if it were UTC. */
  private localAsUtc(epochMs: number): number {
    const parts = this.format.formatToParts(new Date(epochMs));
    const n = (type: string): number => Number(parts.find((p) => p.type === type)?.value ?? '0');
    return Date.UTC(n('year'), n('month') - 1, n('day'), n('hour'), n('minute'), n('second')) + (((epochMs % 1000) + 1000) % 1000);
  }

  /** Inverse of localAsUtc (two passes settle the zone offset). */
  private toInstant(localMs: number): number {
    let guess = localMs;
    for (let i = 0; i < 2; i++) guess = localMs - (this.localAsUtc(guess) - guess);
    return guess;
  }
}

function dayKey(local: number): string {
  return new Date(local).toISOString().slice(0, 10);
}

/** One thing wrong in a calendar file: the year (empty for file-level problems), the entry and why. */
export interface CalendarIssue {
  readonly year: string;
  /** Where in the year, e.g. `holidays[1].dates[2]`, `workdays[0]`; empty when the year as a whole is at fault. */
  readonly entry: string;
  readonly reason: string;
}

/**
 * A calendar file that cannot be used. The message names the file, then each problem with its year and
 * entry, e.g. `sql/seed/calendar-cn.yaml: 2025: workdays[0] "2025-02-30": not a calendar date`.
 */
export class CalendarError extends ValidationError {
  override readonly code = 'CALENDAR_INVALID';

  constructor(
    readonly file: string,
    readonly problems: readonly CalendarIssue[],
    options?: { cause?: unknown },
  ) {
    const line = (p: CalendarIssue): string => [p.year === '' ? '' : `${p.year}:`, p.entry, p.reason].filter((s) => s !== '').join(' ');
    super(
      `${file}: ${problems.map(line).join('; ')}`,
      problems.map((p) => ({ path: [p.year, p.entry].filter((s) => s !== '').join('.'), message: p.reason })),
      options,
    );
  }
}

/** zod error option: names unknown keys (a misspelt `workday:` must not silently drop the 调休 days). */
function shape(expected: string) {
  return {
    error: (issue: { code?: string; keys?: readonly string[] }) =>
      issue.code === 'unrecognized_keys' && issue.keys !== undefined
        ? `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')} (expected ${expected})`
        : issue.code === 'invalid_key'
          ? 'must be a four-digit year'
          : `must be ${expected}`,
  };
}

const dateText = z.string({ error: 'must be a quoted date "YYYY-MM-DD"' }).regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date "YYYY-MM-DD"');

const yearSchema = z.strictObject(
  {
    provisional: z.boolean({ error: 'must be true or false' }),
    source: z.string({ error: 'must be text' }).optional(),
    holidays: z
      .array(
        z.strictObject(
          {
            name: z.string({ error: 'must be text' }).trim().min(1, 'must not be empty'),
            dates: z.array(dateText, { error: 'must be a list of dates' }).min(1, 'must list at least one date'),
          },
          shape('{ name, dates }'),
        ),
        { error: 'must be a list of { name, dates }' },
      )
      .default([]),
    workdays: z.array(dateText, { error: 'must be a list of dates' }).default([]),
  },
  shape('{ provisional, source, holidays, workdays }'),
);

const fileSchema = z.strictObject(
  {
    timeZone: z.string({ error: 'must be text' }).optional(),
    years: z
      .record(z.string().regex(/^\d{4}$/), yearSchema, shape('a map of years'))
      .refine((years) => Object.keys(years).length > 0, 'must list at least one year'),
  },
  shape('{ timeZone, years }'),
);

/**
 * Parses a calendar file (format: the header of sql/seed/calendar-cn.yaml) for a server running in
 * `timeZone`. Throws CalendarError (code CALENDAR_INVALID, a ValidationError) naming the file, the year
 * and the entry: YAML syntax, shape, an impossible date (2025-02-30), a date outside its year, a date
 * listed twice, a date both holiday and workday, a make-up workday that is not a Saturday or Sunday,
 * a `timeZone` other than the server's.
 */
export function parseCalendar(text: string, file: string, timeZone: string): HolidayCalendar {
  const parsed = fileSchema.safeParse(parseYaml(text, file));
  if (!parsed.success) {
    throw new CalendarError(
      file,
      toFieldIssues(parsed.error, 'file').map((i) => {
        const m = /^years\.(\d+|[^.]+)(?:\.(.*))?$/.exec(i.path);
        return m === null ? { year: '', entry: i.path, reason: i.message } : { year: m[1] ?? '', entry: entryPath(m[2] ?? ''), reason: i.message };
      }),
    );
  }
  const { data } = parsed;
  if (!isTimeZone(timeZone)) throw new CalendarError(file, [{ year: '', entry: '', reason: `unknown time zone "${timeZone}"` }]);
  if (data.timeZone !== undefined && data.timeZone !== timeZone) {
    throw new CalendarError(file, [{ year: '', entry: 'timeZone', reason: `is "${data.timeZone}" but the server runs in "${timeZone}": the dates are days of the file's zone` }]);
  }

  const problems: CalendarIssue[] = [];
  const years: CalendarYear[] = [];
  for (const [yearText, entry] of Object.entries(data.years)) {
    const year = Number(yearText);
    const seen = new Map<string, string>(); // date → where it was first listed
    const holidays = new Map<string, string>();
    const workdays = new Set<string>();
    const problem = (where: string, date: string, reason: string): void => {
      problems.push({ year: yearText, entry: `${where} "${date}"`, reason });
    };
    const check = (where: string, date: string): boolean => {
      const day = Date.parse(`${date}T00:00:00Z`);
      if (Number.isNaN(day) || dayKey(day) !== date) {
        problem(where, date, 'is not a calendar date');
        return false;
      }
      if (new Date(day).getUTCFullYear() !== year) {
        problem(where, date, `is not in ${year} (file each date under its own year)`);
        return false;
      }
      const first = seen.get(date);
      if (first !== undefined) {
        const both = first.startsWith('holidays') !== where.startsWith('holidays');
        problem(where, date, both ? `is listed both as a holiday and as a workday (also at ${first})` : `is listed twice (also at ${first})`);
        return false;
      }
      seen.set(date, where);
      return true;
    };
    entry.holidays.forEach((h, i) => {
      h.dates.forEach((date, j) => {
        if (check(`holidays[${i}] ${h.name} dates[${j}]`, date)) holidays.set(date, h.name);
      });
    });
    entry.workdays.forEach((date, i) => {
      const where = `workdays[${i}]`;
      if (!check(where, date)) return;
      const weekday = new Date(`${date}T00:00:00Z`).getUTCDay();
      if (weekday !== 0 && weekday !== 6) {
        problem(where, date, `is a ${WEEKDAYS[weekday] ?? ''}: a make-up workday (调休上班) is always a Saturday or Sunday`);
        return;
      }
      workdays.add(date);
    });
    years.push({ year, provisional: entry.provisional, holidays, workdays });
  }
  if (problems.length > 0) throw new CalendarError(file, problems);
  return new HolidayCalendar(timeZone, years);
}

function parseYaml(text: string, file: string): unknown {
  const doc = parseDocument(text);
  const error = doc.errors[0];
  if (error !== undefined) {
    const line = error.linePos?.[0].line;
    const reason = error.message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '') ?? error.code;
    throw new CalendarError(file, [{ year: '', entry: line === undefined ? '' : `line ${line}`, reason: `YAML syntax: ${reason}` }], { cause: error });
  }
  try {
    return doc.toJS() as unknown;
  } catch (err) {
    throw new CalendarError(file, [{ year: '', entry: '', reason: `YAML: ${err instanceof Error ? err.message : String(err)}` }], { cause: err });
  }
}

/** zod's dotted path inside a year (`holidays.1.dates.2`) as `holidays[1].dates[2]`. */
function entryPath(path: string): string {
  return path.replace(/\.(\d+)(?=\.|$)/g, '[$1]').replace(/^(\d+)/, '[$1]');
}

function isTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}
