/**
 * CSV for the reports: RFC 4180 (CRLF, fields quoted when they hold a comma, quote or line break),
 * UTF-8 with a byte-order mark so Excel opens the Chinese headers correctly. Each column's header is
 * its Chinese name and the JSON field name, e.g. `接通率 answerRate`. Rates are fractions 0..1 rounded
 * to 4 decimals, seconds to 1 decimal; null is an empty field.
 */
export interface CsvColumn<T> {
  readonly zh: string;
  readonly key: string;
  readonly value: (row: T) => string | number | null;
  /** Decimals for a number (default: as is). */
  readonly decimals?: number;
}

const BOM = '\uFEFF';

function field(value: string | number | null, decimals: number | undefined): string {
  if (value === null) return '';
  const text = typeof value === 'number' ? (decimals === undefined ? String(value) : String(Number(value.toFixed(decimals)))) : value;
  // A leading = + - @ would be run as a formula by a spreadsheet (CSV injection): quote it with a tick.
  const safe = typeof value === 'string' && /^[=+\-@]/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function toCsv<T>(columns: readonly CsvColumn<T>[], rows: readonly T[]): string {
  const lines = [columns.map((c) => field(`${c.zh} ${c.key}`, undefined)).join(',')];
  for (const row of rows) lines.push(columns.map((c) => field(c.value(row), c.decimals)).join(','));
  return `${BOM}${lines.join('\r\n')}\r\n`;
}

/** A rate column: 4 decimals. */
export function rateColumn<T>(zh: string, key: string, value: (row: T) => number | null): CsvColumn<T> {
  return { zh, key, value, decimals: 4 };
}
