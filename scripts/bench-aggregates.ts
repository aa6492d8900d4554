/**
 * `npx tsx scripts/bench-aggregates.ts --url mysql://root@127.0.0.1:3306/agg_bench [--runs 5] [--tz Asia/Shanghai]
 *  [--writes 1000] [--no-rebuild] [--out result.json]`
 * `npx tsx scripts/bench-aggregates.ts --growth small.json[,small2.json…] large.json[,large2.json…] [--target 10000000]`
 *
 * The per-day report aggregates (issue 14) on a database filled by scripts/generate-data.ts (which
 * loads rows behind the repositories): fills them with the rebuild (`npm run report-aggregates -- --all`,
 * timed; `--no-rebuild` when an earlier run did), then times every report through ReportService for the
 * last 1, 7, 30, 90 and 365 days, first and again (scripts/bench/aggregates-reports.ts), and the write
 * side: what keeping the aggregates adds to an order action and a queue event, p50/p99
 * (scripts/bench/aggregates-writes.ts; `--writes 0` skips it). The load average is taken at each step (the machine is shared).
 * Prints Markdown blocks for docs/bench-reports.md; `--out` keeps the figures for `--growth`, which
 * prints the growth per million orders between two scales and its projection at `--target` orders.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { QueryTypes } from 'sequelize';
import { openDatabase } from '../src/db/database.js';
import { ReportAggregateRebuild } from '../src/db/report-aggregate-rebuild.js';
import { ReportAggregates, rawDate } from '../src/db/report-aggregates.js';
import { silentLogger } from '../src/logging/logger.js';
import { growthTable, medianResult, type ScaleResult } from './bench/aggregates-growth.js';
import { poolState, timeReports } from './bench/aggregates-reports.js';
import { measureWrites, type Percentiles } from './bench/aggregates-writes.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    url: { type: 'string' },
    runs: { type: 'string' },
    tz: { type: 'string' },
    writes: { type: 'string' },
    'no-rebuild': { type: 'boolean' },
    out: { type: 'string' },
    growth: { type: 'boolean' },
    target: { type: 'string' },
  },
});
const runs = Math.max(3, Number(values.runs ?? 5));
const timeZone = values.tz ?? 'Asia/Shanghai';
const writes = Number(values.writes ?? 1000);

type Row = Record<string, unknown>;
const fmt = (ms: number): string => (ms >= 100 ? ms.toFixed(0) : ms >= 1 ? ms.toFixed(1) : ms.toFixed(3));
const load = (): string => loadavg().map((l) => l.toFixed(2)).join(' ');
const p = (x: Percentiles): string => `${fmt(x.p50)} / ${fmt(x.p99)} / ${fmt(x.max)}`;

async function bench(url: string): Promise<void> {
  const db = await openDatabase(url, silentLogger());
  const { sequelize } = db;
  const select = (sql: string, replacements: Row = {}): Promise<Row[]> => sequelize.query<Row>(sql, { type: QueryTypes.SELECT, replacements });
  const countOf = async (t: string): Promise<number> => Number((await select(`SELECT COUNT(*) AS n FROM ${t}`))[0]?.n ?? 0);
  try {
    const [dbRow] = await select('SELECT DATABASE() AS d');
    const database = String(dbRow?.d);
    const tables = ['tickets', 'ticket_events', 'calls', 'queue_events'];
    const counts: Record<string, number> = {};
    for (const t of tables) counts[t] = await countOf(t);
    const loads: Record<string, string> = {};

    const aggregates = new ReportAggregates(sequelize, timeZone);
    const rebuild = new ReportAggregateRebuild(sequelize, aggregates);
    let rebuildLine = 'rebuild: skipped (--no-rebuild)';
    if (values['no-rebuild'] !== true) {
      const range = await rebuild.fullRange();
      if (range === undefined) throw new Error('the database holds no history');
      loads.rebuild = load();
      const t0 = performance.now();
      const written = await rebuild.rebuild(range, { all: true });
      const ms = performance.now() - t0;
      loads.rebuildEnd = load();
      rebuildLine = `rebuild --all of ${range.fromDay}..${range.toDay}: ${(ms / 1000).toFixed(1)} s (${String(written.orderRows)} order rows, ${String(written.queueRows)} queue rows), load ${loads.rebuild} → ${loads.rebuildEnd}`;
      console.log(rebuildLine);
    }
    for (const t of ['report_order_days', 'report_queue_days']) counts[t] = await countOf(t);
    const sizes = await select(
      'SELECT TABLE_NAME AS t, ROUND(DATA_LENGTH / 1048576) AS data_mb, ROUND(INDEX_LENGTH / 1048576) AS index_mb FROM information_schema.TABLES WHERE TABLE_SCHEMA = :database AND TABLE_NAME IN (:names) ORDER BY TABLE_NAME',
      { database, names: [...tables, 'report_order_days', 'report_queue_days'] },
    );

    // "now": 08:00 the day after the last order.
    const [last] = await select('SELECT MAX(created_at) AS at FROM tickets');
    const lastDay = aggregates.dayOf(rawDate(last?.at).getTime());
    const nowMs = aggregates.dayStart(aggregates.nextDay(lastDay)).getTime() + 8 * 3_600_000;

    const pool = await poolState(sequelize, database);
    loads.reports = load();
    const reports = await timeReports(sequelize, timeZone, nowMs, runs);
    loads.reportsEnd = load();
    loads.writes = load();
    // --writes 0: reports only (repeated runs of the reports, interleaved between scales).
    const w = writes > 0 ? await measureWrites(sequelize, aggregates, nowMs, writes) : undefined;
    loads.writesEnd = load();

    const result: ScaleResult & Record<string, unknown> = { database, orders: counts.tickets ?? 0, calls: counts.calls ?? 0, counts, sizes, rebuild: rebuildLine, pool, loads, reports, writes: w, runs, at: new Date().toISOString() };
    if (values.out !== undefined) writeFileSync(values.out, `${JSON.stringify(result, null, 2)}\n`);

    console.log(`\nData: ${JSON.stringify(counts)}`);
    console.log(`Sizes (MiB data / index): ${sizes.map((s) => `${String(s.t)} ${String(s.data_mb)} / ${String(s.index_mb)}`).join(', ')}`);
    console.log(`Buffer pool before the first report: ${String(pool.poolPages)} pages; report tables' pages in it: ${JSON.stringify(pool.tablePages)}`);
    console.log(`Load average (1/5/15 min): reports ${loads.reports} → ${loads.reportsEnd}; writes ${loads.writes} → ${loads.writesEnd}\n`);
    console.log(`| report | period | first ms | pool reads (first) | again min ms | again median ms |\n|---|--:|--:|--:|--:|--:|`);
    for (const r of reports) console.log(`| ${r.report} | ${String(r.days)} d | ${fmt(r.firstMs)} | ${String(r.firstPoolReads)} | ${fmt(r.againMinMs)} | ${fmt(r.againMedianMs)} |`);
    console.log(`\n(${String(runs)} runs each: the first, then ${String(runs - 1)} again)\n`);
    if (w !== undefined) {
      console.log('| write (ms per event, p50 / p99 / max) | aggregate part | without aggregates | with aggregates | samples |\n|---|--:|--:|--:|--:|');
      console.log(`| baseline: one \`SELECT 1\` round trip | | ${p(w.roundTrip)} | | ${String(w.roundTrip.n)} |`);
      console.log(`| order action (dispatch appended; ${w.order.rowsPerEvent.toFixed(1)} aggregate rows per event) | ${p(w.order.extra)} | ${p(w.order.without)} | ${p(w.order.with)} | ${String(w.order.extra.n)} |`);
      console.log(`| … of which the facts before/after (JS) | ${p(w.order.facts)} | | | |`);
      console.log(`| … of which the upsert (one statement) | ${p(w.order.upsert)} | | | |`);
      console.log(`| order action committed, whole (repository update: dispatch; without = its path before issue 14) | ${fmt(w.orderCommitted.with.p50 - w.orderCommitted.without.p50)} / ${fmt(w.orderCommitted.with.p99 - w.orderCommitted.without.p99)} (differences) | ${p(w.orderCommitted.without)} | ${p(w.orderCommitted.with)} | ${String(w.orderCommitted.with.n)} + ${String(w.orderCommitted.without.n)} |`);
      console.log(`| queue event written alone | ${p(w.queueSingle.extra)} | ${p(w.queueSingle.without)} | ${p(w.queueSingle.with)} | ${String(w.queueSingle.extra.n)} |`);
      console.log(`| queue event in a batch of ${String(w.queueBatch.batchSize)} (batch / ${String(w.queueBatch.batchSize)}) | ${p(w.queueBatch.extra)} | ${p(w.queueBatch.without)} | ${p(w.queueBatch.with)} | ${String(w.queueBatch.batches)} batches |`);
    }
  } finally {
    await db.close();
  }
}

function growth(): void {
  const [smallFiles, largeFiles] = positionals;
  if (smallFiles === undefined || largeFiles === undefined) throw new Error('usage: --growth small.json[,small2.json…] large.json[,large2.json…]');
  // Several runs of a scale (comma-separated): each figure is the median over the runs.
  const read = (list: string): ScaleResult => medianResult(list.split(',').map((f) => JSON.parse(readFileSync(f, 'utf8')) as ScaleResult));
  console.log(growthTable(read(smallFiles), read(largeFiles), Number(values.target ?? 10_000_000)));
}

async function main(): Promise<void> {
  if (values.growth === true) {
    growth();
    return;
  }
  if (values.url === undefined) throw new Error('--url is required');
  await bench(values.url);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
  process.exitCode = 1;
});
