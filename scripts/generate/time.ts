/**
 * Time helpers for generated history. The centre is in China (UTC+8, no daylight saving), so a local
 * day is a fixed 24 h starting at 16:00 UTC the day before. Deadlines use plain weekday arithmetic
 * (Saturday and Sunday off): the generator does not need the holiday calendar to be realistic.
 */
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;
export const CN_OFFSET_MS = 8 * HOUR_MS;

/** Midnight (UTC+8) of the local date `yyyy-mm-dd`, as epoch ms. */
export function localMidnight(date: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (m === null) throw new Error(`not a date: ${date}`);
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) - CN_OFFSET_MS;
}

/** The local date (UTC+8) of `ms` as YYYYMMDD. */
export function localDayCode(ms: number): string {
  return new Date(ms + CN_OFFSET_MS).toISOString().slice(0, 10).replace(/-/g, '');
}

/** Day of week (0 Sunday … 6 Saturday) of `ms` in UTC+8. */
export function localWeekday(ms: number): number {
  return new Date(ms + CN_OFFSET_MS).getUTCDay();
}

/** `ms` plus `days` weekdays: each step a day, Saturdays and Sundays not counted. */
export function addWeekdays(ms: number, days: number): number {
  let t = ms;
  let left = days;
  while (left > 0) {
    t += DAY_MS;
    const wd = localWeekday(t);
    if (wd !== 0 && wd !== 6) left--;
  }
  return t;
}

const dayPrefix = new Map<number, string>();
const pad2 = (n: number): string => (n < 10 ? `0${String(n)}` : String(n));

/**
 * DATETIME(3) text in UTC (`2026-03-01 08:15:00.123`), the form LOAD DATA reads. Called tens of
 * millions of times, so the date part is cached per day and the time part is plain arithmetic.
 */
export function sqlTime(ms: number): string {
  const t = Math.round(ms);
  const day = Math.floor(t / DAY_MS);
  let prefix = dayPrefix.get(day);
  if (prefix === undefined) {
    prefix = `${new Date(day * DAY_MS).toISOString().slice(0, 10)} `;
    dayPrefix.set(day, prefix);
  }
  let rest = t - day * DAY_MS;
  const milli = rest % 1000;
  rest = (rest - milli) / 1000;
  const sec = rest % 60;
  rest = (rest - sec) / 60;
  const min = rest % 60;
  const hour = (rest - min) / 60;
  return `${prefix}${pad2(hour)}:${pad2(min)}:${pad2(sec)}.${milli < 10 ? '00' : milli < 100 ? '0' : ''}${String(milli)}`;
}
