/**
 * The report periods the page offers, as the centre's dates (its zone, config TZ, told at login: the
 * server reads `YYYY-MM-DD` as that zone's midnight; the PC may be set to another zone). `to` is
 * exclusive, as the API wants it; `last` is the last day shown to people (inclusive).
 */
import { formatDate } from '../../shared/format';

export type PeriodPreset = 'today' | 'yesterday' | 'week' | 'month' | 'custom';

export const PRESET_NAMES: Record<PeriodPreset, string> = { today: '今日', yesterday: '昨日', week: '本周', month: '本月', custom: '自定义' };

export interface Period {
  readonly preset: PeriodPreset;
  /** First day, `YYYY-MM-DD`. */
  readonly from: string;
  /** The day after the last one (exclusive), `YYYY-MM-DD`. */
  readonly to: string;
  /** Last day (inclusive), `YYYY-MM-DD`. */
  readonly last: string;
}

/** The longest custom period (the server's daily series stops at 366 days). */
export const MAX_CUSTOM_DAYS = 366;

const p2 = (n: number): string => String(n).padStart(2, '0');

/** The centre's day (`YYYY-MM-DD`) at the instant `d`. */
export function isoDate(d: Date): string {
  return formatDate(d);
}

/** `YYYY-MM-DD` of a calendar day the date picker gives (a Date at the browser's local midnight). */
export function pickerDate(d: Date): string {
  return `${d.getFullYear()}-${p2(d.getMonth() + 1)}-${p2(d.getDate())}`;
}

/** The calendar day `YYYY-MM-DD` as UTC midnight (day arithmetic only); undefined when it is not a real date. */
function parseIsoDate(text: string): Date | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (m === null) return undefined;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === text ? d : undefined;
}

export function addDays(text: string, days: number): string {
  const d = parseIsoDate(text);
  if (d === undefined) throw new Error(`not a date: ${text}`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** Whole days from `from` to `to` (exclusive end). */
export function daysBetween(from: string, to: string): number {
  const a = parseIsoDate(from);
  const b = parseIsoDate(to);
  if (a === undefined || b === undefined) return 0;
  return Math.round((b.getTime() - a.getTime()) / 86_400_000);
}

/** The period of a preset at `now` (weeks start on Monday); `custom` needs its first and last day. */
export function periodOf(preset: PeriodPreset, now: Date, custom?: { first: string; last: string }): Period {
  const today = isoDate(now);
  switch (preset) {
    case 'today':
      return { preset, from: today, to: addDays(today, 1), last: today };
    case 'yesterday':
      return { preset, from: addDays(today, -1), to: today, last: addDays(today, -1) };
    case 'week': {
      const sinceMonday = ((parseIsoDate(today)?.getUTCDay() ?? 1) + 6) % 7;
      return { preset, from: addDays(today, -sinceMonday), to: addDays(today, 1), last: today };
    }
    case 'month':
      return { preset, from: `${today.slice(0, 8)}01`, to: addDays(today, 1), last: today };
    case 'custom': {
      if (custom === undefined) throw new Error('a custom period needs its days');
      const [first, last] = custom.first <= custom.last ? [custom.first, custom.last] : [custom.last, custom.first];
      return { preset, from: first, to: addDays(last, 1), last };
    }
  }
}

/** How the period reads: `2026-11-20` or `2026-11-16 至 2026-11-20`. */
export function periodLabel(period: Pick<Period, 'from' | 'last'>): string {
  return period.from === period.last ? period.from : `${period.from} 至 ${period.last}`;
}

/** The days of the trend chart: the period, widened back to at least `minDays` days ending on its last day. */
export function trendRange(period: Period, minDays = 7): { from: string; to: string; widened: boolean } {
  if (daysBetween(period.from, period.to) >= minDays) return { from: period.from, to: period.to, widened: false };
  return { from: addDays(period.to, -minDays), to: period.to, widened: true };
}

/**
 * The period 刷新 asks for at `now`: a preset is computed again (after midnight 今日 is the new day),
 * a custom range stays as chosen (the same object).
 */
export function refreshedPeriod(period: Period, now: Date): Period {
  return period.preset === 'custom' ? period : periodOf(period.preset, now);
}
