/**
 * Working-day arithmetic for deadlines (shared/DOMAIN.md: deadlines count working days).
 * This is the seam for the holiday calendar (public holidays, 调休 make-up days) of a later issue:
 * the domain only ever asks this interface.
 */
export interface WorkingDayCalendar {
  /** True when the local day (in the calendar's time zone) holding `instant` is a working day. */
  isWorkingDay(instant: Date): boolean;
  /**
   * The same local time of day, `days` working days after `from` (days ≥ 0). Starting on a
   * non-working day, the first working day after it counts as day 1.
   */
  addWorkingDays(from: Date, days: number): Date;
  /**
   * Whole working days from `from` to `to`: the largest n with `addWorkingDays(from, n)` not after
   * `to`, counted in one pass over the days between; negative (-workingDaysBetween(to, from)) when
   * `to` is before `from`.
   */
  workingDaysBetween(from: Date, to: Date): number;
}

const MS_PER_DAY = 86_400_000;

/**
 * Working days after the local day `fromLocal` up to `endLocal` (both local wall-clock times written as
 * UTC ms): the one counting loop of both calendars, which differ only in `isWorking`.
 */
export function countWorkingDays(fromLocal: number, endLocal: number, isWorking: (localDay: number) => boolean): number {
  let count = 0;
  for (let local = fromLocal + MS_PER_DAY; local <= endLocal; local += MS_PER_DAY) if (isWorking(local)) count++;
  return count;
}

/** Monday to Friday are working days; nothing else is known (no holidays yet). */
export class WeekendOnlyCalendar implements WorkingDayCalendar {
  private readonly format: Intl.DateTimeFormat;

  constructor(readonly timeZone: string) {
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
  }

  isWorkingDay(instant: Date): boolean {
    const weekday = new Date(this.localAsUtc(instant.getTime())).getUTCDay();
    return weekday !== 0 && weekday !== 6;
  }

  addWorkingDays(from: Date, days: number): Date {
    if (!Number.isInteger(days) || days < 0) throw new RangeError(`working days must be a whole number ≥ 0, not ${days}`);
    // Step on the local wall clock (as if it were UTC) so a DST change cannot shift the time of day.
    let local = this.localAsUtc(from.getTime());
    let left = days;
    while (left > 0) {
      local += MS_PER_DAY;
      const weekday = new Date(local).getUTCDay();
      if (weekday !== 0 && weekday !== 6) left--;
    }
    return new Date(this.toInstant(local));
  }

  workingDaysBetween(from: Date, to: Date): number {
    if (to.getTime() < from.getTime()) return -this.workingDaysBetween(to, from);
    return countWorkingDays(this.localAsUtc(from.getTime()), this.localAsUtc(to.getTime()), (local) => {
      const weekday = new Date(local).getUTCDay();
      return weekday !== 0 && weekday !== 6;
    });
  }

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
