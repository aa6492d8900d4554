import { ValidationError } from '../shared/app-error.js';
import type { ReportPeriod } from './report-queries.js';

/**
 * The period of a report from its query string: `from` and `to` are ISO dates (`2026-11-20`: midnight in
 * the centre's time zone) or datetimes (with `Z`/offset: that instant; without: wall time in the zone).
 * `to` is exclusive. Defaults: `from` = today 00:00 in the zone; `to` = the day after `from`'s day.
 */
export const MAX_REPORT_DAYS = 400;

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const LOCAL_DATETIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?$/;
const ZONED_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:\d{2})$/;
const DAY_MS = 86_400_000;

export function isReportInstant(text: string): boolean {
  return DATE.test(text) || LOCAL_DATETIME.test(text) || ZONED_DATETIME.test(text);
}

/** Wall-clock fields of `instant` in `timeZone`, as if they were UTC. */
function wallMs(instant: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' }).formatToParts(new Date(instant));
  const get = (type: string): number => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'), new Date(instant).getUTCMilliseconds());
}

/** The instant whose wall time in `timeZone` is `wall` (fields given as a UTC timestamp). */
export function zonedToInstant(wall: number, timeZone: string): number {
  let guess = wall - (wallMs(wall, timeZone) - wall);
  // A second pass settles offsets that change between `wall` and the answer (daylight saving).
  guess = wall - (wallMs(guess, timeZone) - guess);
  return guess;
}

/** Midnight (in `timeZone`) starting the day that contains `instant`. */
export function startOfLocalDay(instant: number, timeZone: string): number {
  const wall = wallMs(instant, timeZone);
  return zonedToInstant(wall - (((wall % DAY_MS) + DAY_MS) % DAY_MS), timeZone);
}

function parseInstant(text: string, field: string, timeZone: string): number {
  const invalid = (): ValidationError => new ValidationError(`invalid query: ${field} is not a valid date`, [{ path: field, message: 'is not a valid date (YYYY-MM-DD or an ISO datetime)' }]);
  if (ZONED_DATETIME.test(text)) {
    const ms = Date.parse(text);
    if (Number.isNaN(ms)) throw invalid();
    return ms;
  }
  const m = DATE.exec(text) ?? LOCAL_DATETIME.exec(text);
  if (m === null) throw invalid();
  const n = (i: number): number => Number(m[i] ?? 0);
  const fields = [n(1), n(2) - 1, n(3), n(4), n(5), n(6)] as const;
  const wall = Date.UTC(...fields, Number((m[7] ?? '0').padEnd(3, '0')));
  // Date.UTC rolls 2026-02-31 over to March and 24:00 to the next day: refuse instead.
  const back = new Date(wall);
  const again = [back.getUTCFullYear(), back.getUTCMonth(), back.getUTCDate(), back.getUTCHours(), back.getUTCMinutes(), back.getUTCSeconds()];
  if (again.some((v, i) => v !== fields[i])) throw invalid();
  return zonedToInstant(wall, timeZone);
}

export function resolvePeriod(query: { from?: string | undefined; to?: string | undefined }, nowMs: number, timeZone: string): ReportPeriod {
  const from = query.from === undefined ? startOfLocalDay(nowMs, timeZone) : parseInstant(query.from, 'from', timeZone);
  const to = query.to === undefined ? zonedToInstant(wallMs(startOfLocalDay(from, timeZone), timeZone) + DAY_MS, timeZone) : parseInstant(query.to, 'to', timeZone);
  if (to <= from) throw new ValidationError('invalid query: to must be after from', [{ path: 'to', message: 'must be after from (to is exclusive)' }]);
  if (to - from > MAX_REPORT_DAYS * DAY_MS) throw new ValidationError(`invalid query: the period is longer than ${MAX_REPORT_DAYS} days`, [{ path: 'to', message: `must be at most ${MAX_REPORT_DAYS} days after from` }]);
  return { from: new Date(from), to: new Date(to) };
}

/** The period of the same length just before `period` (for "rising"). */
export function previousPeriod(period: ReportPeriod): ReportPeriod {
  const length = period.to.getTime() - period.from.getTime();
  return { from: new Date(period.from.getTime() - length), to: period.from };
}
