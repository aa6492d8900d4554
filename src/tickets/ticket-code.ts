import { ValidationError } from '../shared/app-error.js';

/** Largest per-day sequence a code can carry (six digits). */
export const MAX_DAILY_SEQUENCE = 999_999;

export const TICKET_CODE_PATTERN = /^\d{8}-\d{6}$/;

/** The calendar day of `instant` in `timeZone`, as `YYYYMMDD` (codes are dated where the centre is). */
export function localDay(instant: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(instant);
  const get = (type: string): string => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}${get('month')}${get('day')}`;
}

/** `20261122` + 123 → `20261122-000123`. */
export function formatTicketCode(day: string, sequence: number): string {
  if (!/^\d{8}$/.test(day)) throw new ValidationError(`ticket day "${day}" is not YYYYMMDD`, [{ path: 'day', message: 'must be YYYYMMDD' }]);
  if (!Number.isInteger(sequence) || sequence < 1 || sequence > MAX_DAILY_SEQUENCE) {
    throw new ValidationError(`ticket sequence ${sequence} is out of range`, [{ path: 'sequence', message: `must be 1-${MAX_DAILY_SEQUENCE}` }]);
  }
  return `${day}-${String(sequence).padStart(6, '0')}`;
}
