import { z } from 'zod';

/**
 * A queue's service hours (服务时间), `hours` in the queues file: periods of the local day on working
 * days and on other days (weekends and public holidays of the working-day calendar, CALENDAR_FILE,
 * with its 调休 make-up working days counted as working days). A queue without `hours` is open around
 * the clock (GB/T 33358: 12345 answers 24 h a day); outside its hours the IVR offers a callback or a
 * message instead (night mode, issue 12).
 */
export interface ServiceHours {
  readonly workingDays: readonly Period[];
  readonly otherDays: readonly Period[];
}

/** Minutes after local midnight: `from` included, `to` excluded. */
export interface Period {
  readonly from: number;
  readonly to: number;
}

/** What the decision needs of the working-day calendar (tickets' HolidayCalendar implements it). */
export interface WorkingDays {
  isWorkingDay(instant: Date): boolean;
}

const PERIOD = /^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]|24):([0-5]\d)$/;

const period = z
  .string()
  .regex(PERIOD, 'must be a period HH:MM-HH:MM, e.g. 08:30-17:30')
  .transform((text, ctx): Period => {
    const m = PERIOD.exec(text);
    const from = Number(m?.[1]) * 60 + Number(m?.[2]);
    const to = Number(m?.[3]) * 60 + Number(m?.[4]);
    if (to > 24 * 60 || to <= from) ctx.addIssue({ code: 'custom', message: 'must end after it starts, at 24:00 at the latest' });
    return { from, to };
  });

export const serviceHoursSchema = z.strictObject({
  /** Periods on working days; `[]`: closed on working days. */
  workingDays: z.array(period).max(8, 'must list at most 8 periods'),
  /** Periods on weekends and public holidays; `[]` (the default): closed then. */
  otherDays: z.array(period).max(8, 'must list at most 8 periods').default([]),
});

/** True when `at` falls inside the hours (a queue without hours is always open). */
export function withinServiceHours(hours: ServiceHours | null, at: Date, calendar: WorkingDays, timeZone: string): boolean {
  if (hours === null) return true;
  const periods = calendar.isWorkingDay(at) ? hours.workingDays : hours.otherDays;
  const minute = minuteOfDay(at, timeZone);
  return periods.some((p) => minute >= p.from && minute < p.to);
}

const formats = new Map<string, Intl.DateTimeFormat>();

/** Minutes after local midnight of `at` in `timeZone`. */
export function minuteOfDay(at: Date, timeZone: string): number {
  let format = formats.get(timeZone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', hour: 'numeric', minute: 'numeric' });
    formats.set(timeZone, format);
  }
  let hour = 0;
  let minute = 0;
  for (const part of format.formatToParts(at)) {
    if (part.type === 'hour') hour = Number(part.value);
    else if (part.type === 'minute') minute = Number(part.value);
  }
  return hour * 60 + minute;
}
