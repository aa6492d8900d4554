/**
 * CSV made in the browser from the data on screen: RFC 4180 (CRLF line ends; a field holding a comma,
 * a quote or a line break is quoted, quotes doubled), UTF-8 with a byte-order mark so Excel opens the
 * Chinese correctly. A text cell beginning with = + - @ (or a tab / carriage return) would be run as a
 * formula by a spreadsheet (CSV injection): it gets a leading apostrophe. Numbers are written as
 * numbers (a negative change stays a number); null / undefined is an empty field.
 */
export type CsvValue = string | number | null | undefined;

export interface CsvColumn<T> {
  readonly header: string;
  readonly value: (row: T) => CsvValue;
}

export const BOM = '\uFEFF';

const FORMULA_START = /^[=+\-@\t\r]/;

export function csvField(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv<T>(columns: readonly CsvColumn<T>[], rows: readonly T[]): string {
  const lines = [columns.map((c) => csvField(c.header)).join(',')];
  for (const row of rows) lines.push(columns.map((c) => csvField(c.value(row))).join(','));
  return `${BOM}${lines.join('\r\n')}\r\n`;
}

/** `统计报表-承办单位排名-2026-11-20至2026-11-26.csv`: the parts joined, characters Windows refuses in a name replaced. */
export function csvFileName(...parts: string[]): string {
  return `${parts.filter((p) => p !== '').join('-').replace(/[\\/:*?"<>|]/g, '_')}.csv`;
}

/** Hands the text to the browser as a download (an object URL, revoked once the click has been taken). */
export function downloadCsv(fileName: string, csv: string): void {
  const url = URL.createObjectURL(new Blob([csv], { type: 'text/csv;charset=utf-8' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.style.display = 'none';
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => {
    URL.revokeObjectURL(url);
  }, 0);
}
