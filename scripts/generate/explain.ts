/** One row of MySQL/MariaDB EXPLAIN (the columns the benchmark reads). */
export interface ExplainRow {
  readonly table: string | null;
  readonly type: string | null;
  readonly key: string | null;
  readonly rows: number;
  readonly extra: string;
}

export function explainRowOf(row: Record<string, unknown>): ExplainRow {
  const s = (k: string): string | null => {
    const v = row[k];
    return typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'bigint' ? String(v) : null;
  };
  return { table: s('table'), type: s('type'), key: s('key'), rows: Number(s('rows') ?? 0), extra: s('Extra') ?? '' };
}

/** A full table scan (type ALL) or full index scan (type index) over more than `minRows` rows. */
export function isFullScan(row: ExplainRow, minRows = 10_000): boolean {
  return (row.type === 'ALL' || row.type === 'index') && row.rows > minRows && !(row.table ?? '').startsWith('<');
}

/** `table:type:key:rows` per step, the scans flagged. */
export function describePlan(rows: readonly ExplainRow[]): string {
  return rows.map((r) => `${isFullScan(r) ? '**FULL** ' : ''}${r.table ?? '-'}:${r.type ?? '-'}:${r.key ?? '-'}:${String(r.rows)}`).join(' → ');
}
