/** TSV fields for LOAD DATA (default escaping: `\N` is NULL; tab, newline and backslash escaped). */
export type Field = string | number | null;

const SPECIAL = /[\t\n\\]/;

function field(value: Field): string {
  if (value === null) return '\\N';
  if (typeof value === 'number') return String(value);
  return SPECIAL.test(value) ? value.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n') : value;
}

/** Rows of one table, appended as TSV lines (one LOAD DATA statement later). */
export class TsvBuffer {
  private parts: string[] = [];
  rows = 0;

  add(values: readonly Field[]): void {
    let line = field(values[0] ?? null);
    for (let i = 1; i < values.length; i++) line += '\t' + field(values[i] ?? null);
    this.parts.push(line);
    this.rows++;
  }

  /** The text so far (and empties the buffer). */
  take(): { text: string; rows: number } {
    const out = { text: this.parts.length === 0 ? '' : this.parts.join('\n') + '\n', rows: this.rows };
    this.parts = [];
    this.rows = 0;
    return out;
  }
}
