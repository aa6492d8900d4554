/**
 * Display helpers shared by the pages (zh-CN). Times are shown in the centre's zone (the server's
 * config TZ, told at login), not the PC's: a supervisor's laptop set to another zone still reads the
 * hotline's clock, and "today" is the centre's day.
 */
import { session } from '../api/session-store';

/** The zone dates are shown in: the centre's when known, else the browser's. */
export function displayTimeZone(): string | undefined {
  return session.timeZone;
}

export interface ZonedParts {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterOf(timeZone: string | undefined): Intl.DateTimeFormat {
  const key = timeZone ?? '';
  let f = formatters.get(key);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('zh-CN', {
      ...(timeZone === undefined ? {} : { timeZone }),
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      hourCycle: 'h23',
    });
    formatters.set(key, f);
  }
  return f;
}

/** The calendar fields of the instant `d` in `timeZone` (default: the centre's). */
export function zonedParts(d: Date, timeZone: string | undefined = displayTimeZone()): ZonedParts {
  let f: Intl.DateTimeFormat;
  try {
    f = formatterOf(timeZone);
  } catch {
    // An unknown zone name (an old server, a typo): the browser's zone rather than no dates at all.
    f = formatterOf(undefined);
  }
  const out = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
  for (const part of f.formatToParts(d)) {
    if (part.type in out) out[part.type as keyof typeof out] = Number(part.value);
  }
  if (out.hour === 24) out.hour = 0;
  return out;
}

const p2 = (n: number): string => String(n).padStart(2, '0');

/** `YYYY-MM-DD`: the centre's day of the instant `d`. */
export function formatDate(d: Date, timeZone?: string): string {
  const z = zonedParts(d, timeZone ?? displayTimeZone());
  return `${z.year}-${p2(z.month)}-${p2(z.day)}`;
}

/** `HH:mm:ss` in the centre's zone. */
export function formatClock(d: Date, timeZone?: string): string {
  const z = zonedParts(d, timeZone ?? displayTimeZone());
  return `${p2(z.hour)}:${p2(z.minute)}:${p2(z.second)}`;
}

function toDate(iso: string | Date | null | undefined): Date | undefined {
  if (iso === null || iso === undefined || iso === '') return undefined;
  const d = iso instanceof Date ? iso : new Date(iso);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/** `YYYY-MM-DD HH:mm` in the centre's zone; "—" for nothing. */
export function formatDateTime(iso: string | Date | null | undefined): string {
  const d = toDate(iso);
  if (d === undefined) return '—';
  const z = zonedParts(d);
  return `${z.year}-${p2(z.month)}-${p2(z.day)} ${p2(z.hour)}:${p2(z.minute)}`;
}

/** `YYYY-MM-DD HH:mm:ss` in the centre's zone; "—" for nothing. */
export function formatDateTimeSeconds(iso: string | Date | null | undefined): string {
  const d = toDate(iso);
  if (d === undefined) return '—';
  const z = zonedParts(d);
  return `${z.year}-${p2(z.month)}-${p2(z.day)} ${p2(z.hour)}:${p2(z.minute)}:${p2(z.second)}`;
}

/** 75 → "01:15", 3725 → "1:02:05". */
export function formatDuration(totalSeconds: number): string {
  const s = Math.max(0, Math.floor(totalSeconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const p = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${p(m)}:${p(sec)}` : `${p(m)}:${p(sec)}`;
}

/** 0.9234 → "92.3%"; null (no calls) → "—". */
export function formatRate(rate: number | null | undefined): string {
  return rate === null || rate === undefined || Number.isNaN(rate) ? '—' : `${(rate * 100).toFixed(1)}%`;
}
