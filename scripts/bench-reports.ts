/**
 * `npx tsx scripts/bench-reports.ts --url mysql://root@127.0.0.1:3306/hotline_bench_gen [--runs 3] [--tz Asia/Shanghai] [--out docs/bench-reports.md]`
 *
 * Times the hotline reports (ReportService: summary, units, categories, and their CSV) on a database
 * filled by scripts/generate-data.ts, for the last 1, 7 (周通报), 30 (月排名) and 90 days of its
 * history, at 08:00 after the last day: each `--runs` times, the first with no day's call counts stored
 * (report_call_days emptied), then again reading the counts it stored (min and median of those). Then each report SQL alone, with its EXPLAIN (full scans flagged).
 * Writes docs/bench-reports.md; text between the findings markers of an existing file is kept.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { QueryTypes } from 'sequelize';
import { openDatabase, type Database } from '../src/db/database.js';
import type { CallDayCache } from '../src/db/call-day-cache.js';
import { queueScanWindow, reportSqlFiles, SequelizeReportQueries } from '../src/db/report-queries.js';
import { silentLogger } from '../src/logging/logger.js';
import { startOfLocalDay } from '../src/metrics/report-period.js';
import { ReportService } from '../src/metrics/report-service.js';
import { categoriesCsv, summaryCsv, unitsCsv } from '../src/metrics/report-tables.js';
import { systemClock, type Clock } from '../src/shared/clock.js';
import { describePlan, explainRowOf, isFullScan, type ExplainRow } from './generate/explain.js';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DEFAULT_OUT = path.join(REPO_ROOT, 'docs', 'bench-reports.md');
const PERIOD_DAYS = [1, 7, 30, 90] as const;
const DAY_MS = 86_400_000;
/** A run slower than this is not repeated (keeps the whole benchmark bounded). */
const REPEAT_LIMIT_MS = 30_000;
/**
 * A report (or query) whose time scaled from its previous period (ms × days ratio) passes this is
 * skipped and shown as an estimate: the benchmark stays within minutes when a query grows linearly.
 */
const SKIP_ESTIMATE_MS = 60_000;

/** The estimate for `days` from the last measured period, or null when it is small enough to run. */
function skipEstimate(last: { days: number; ms: number } | undefined, days: number): number | null {
  if (last === undefined) return null;
  const est = (last.ms * days) / last.days;
  return est > SKIP_ESTIMATE_MS ? est : null;
}
const FINDINGS_START = '<!-- findings:start -->';
const FINDINGS_END = '<!-- findings:end -->';

type Row = Record<string, unknown>;

interface Timing {
  readonly report: string;
  readonly days: number;
  readonly json: number[];
  readonly csv: number[];
  /** Set when skipped: the estimated ms. */
  readonly estimate: number | null;
}

interface SqlTiming {
  readonly file: string;
  readonly days: number;
  /** Null when skipped (see `estimate`). */
  readonly ms: number | null;
  readonly estimate: number | null;
  readonly plan: ExplainRow[];
}

const min = (xs: readonly number[]): number => Math.min(...xs);
function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[m] ?? 0) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2;
}
/** The runs after the first (all of them when there is only one). */
const again = (xs: readonly number[]): readonly number[] => (xs.length > 1 ? xs.slice(1) : xs);
const fmt = (ms: number): string => (ms >= 100 ? ms.toFixed(0) : ms.toFixed(1));

async function rows(db: Database, sql: string, replacements: Row = {}): Promise<Row[]> {
  return db.sequelize.query<Row>(sql, { type: QueryTypes.SELECT, replacements });
}

/** Runs a report and formats its CSV: [report ms, report + CSV ms]. */
type Runner = (q: { from: string; to: string }) => Promise<[number, number]>;

function runnerOf<R>(report: (q: { from: string; to: string }) => Promise<R>, csv: (r: R) => string): Runner {
  return async (q) => {
    const t0 = performance.now();
    const r = await report(q);
    const t1 = performance.now();
    if (csv(r).length === 0) throw new Error('empty CSV');
    return [t1 - t0, performance.now() - t0];
  };
}

async function timeReports(service: ReportService, callDays: CallDayCache, endMs: number, runs: number): Promise<Timing[]> {
  const out: Timing[] = [];
  // The CSV is the same report formatted: both timed from one run (the formatting is the difference).
  const reports: Record<string, Runner> = {
    summary: runnerOf((q) => service.summary(q), summaryCsv),
    units: runnerOf((q) => service.units(q), unitsCsv),
    categories: runnerOf((q) => service.categories(q), categoriesCsv),
  };
  const last = new Map<string, { days: number; ms: number }>();
  for (const days of PERIOD_DAYS) {
    const q = { from: new Date(endMs - days * DAY_MS).toISOString(), to: new Date(endMs).toISOString() };
    for (const [name, run] of Object.entries(reports)) {
      const estimate = skipEstimate(last.get(name), days);
      if (estimate !== null) {
        out.push({ report: name, days, json: [], csv: [], estimate });
        console.log(`${name} ${String(days)} d: skipped (≈ ${fmt(estimate)} ms)`);
        continue;
      }
      const json: number[] = [];
      const csv: number[] = [];
      // The first run finds no stored day counts (it stores them); the runs after it read them.
      await callDays.clear();
      for (let i = 0; i < runs; i++) {
        const [reportMs, csvMs] = await run(q);
        json.push(reportMs);
        csv.push(csvMs);
        if (reportMs > REPEAT_LIMIT_MS) break;
      }
      out.push({ report: name, days, json, csv, estimate: null });
      last.set(name, { days, ms: min(json) });
      console.log(`${name} ${String(days)} d: ${json.map(fmt).join(', ')} ms`);
    }
  }
  return out;
}

async function timeSql(db: Database, endMs: number): Promise<SqlTiming[]> {
  const files = reportSqlFiles();
  const out: SqlTiming[] = [];
  const last = new Map<string, { days: number; ms: number }>();
  for (const days of PERIOD_DAYS) {
    const period = { from: new Date(endMs - days * DAY_MS), to: new Date(endMs) };
    const replacements: Row = {
      ...period,
      ...queueScanWindow(period),
      now: new Date(endMs),
      slMs: 15_000,
      minAbandonMs: 0,
      satisfied: '%"satisfaction":"satisfied"%',
      basically: '%"satisfaction":"basically"%',
      unsatisfied: '%"satisfaction":"unsatisfied"%',
      resolved: '%"resolution":"resolved"%',
    };
    for (const [file, text] of Object.entries(files)) {
      const sql = text
        .split('\n')
        .filter((l) => !l.startsWith('--'))
        .join('\n')
        .replace(/;\s*$/, '');
      const plan = (await rows(db, `EXPLAIN ${sql}`, replacements)).map(explainRowOf);
      const estimate = skipEstimate(last.get(file), days);
      if (estimate !== null) {
        out.push({ file, days, ms: null, estimate, plan });
        continue;
      }
      const t0 = performance.now();
      await rows(db, sql, replacements);
      const ms = performance.now() - t0;
      out.push({ file, days, ms, estimate: null, plan });
      last.set(file, { days, ms });
      console.log(`  ${file} ${String(days)} d: ${fmt(ms)} ms`);
    }
  }
  return out;
}

async function dataSizes(db: Database): Promise<string[]> {
  const lines = ['| table | rows | data MiB | index MiB |', '|---|--:|--:|--:|'];
  const tables = await rows(db, "SELECT TABLE_NAME AS t, DATA_LENGTH AS d, INDEX_LENGTH AS i FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE' ORDER BY DATA_LENGTH + INDEX_LENGTH DESC");
  let data = 0;
  let index = 0;
  for (const t of tables) {
    const name = String(t.t);
    const [c] = await rows(db, `SELECT COUNT(*) AS n FROM \`${name}\``);
    const d = Number(t.d);
    const i = Number(t.i);
    data += d;
    index += i;
    lines.push(`| ${name} | ${Number(c?.n ?? 0).toLocaleString('en-US')} | ${(d / 2 ** 20).toFixed(0)} | ${(i / 2 ** 20).toFixed(0)} |`);
  }
  lines.push(`| **total** | | ${(data / 2 ** 20).toFixed(0)} | ${(index / 2 ** 20).toFixed(0)} |`);
  return lines;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { url: { type: 'string' }, runs: { type: 'string', default: '3' }, tz: { type: 'string', default: 'Asia/Shanghai' }, out: { type: 'string', default: DEFAULT_OUT } } });
  const out = path.resolve(values.out);
  const url = values.url ?? process.env.DATABASE_URL;
  if (url === undefined || !/^(mysql|mariadb):\/\//.test(url)) throw new Error('--url mysql://user@host:port/<database> is required');
  const runs = Math.max(1, Math.min(10, Number(values.runs)));
  const timeZone = values.tz;
  const db = await openDatabase(url, silentLogger());
  try {
    const [last] = await rows(db, 'SELECT MAX(created_at) AS m FROM tickets');
    const lastMs = last?.m instanceof Date ? last.m.getTime() : Number.NaN;
    if (Number.isNaN(lastMs)) throw new Error('no tickets: fill the database with scripts/generate-data.ts first');
    // "Now" is the midnight after the last order: the periods are the history's last days.
    const endMs = startOfLocalDay(lastMs, timeZone) + DAY_MS;
    // Now is 08:00 after the last day, when the day's, week's and month's reports are pulled: every day is settled.
    const nowMs = endMs + 8 * 3_600_000;
    const clock: Clock = { ...systemClock, now: () => nowMs };
    const queries = new SequelizeReportQueries(db.sequelize, { clock });
    const service = new ReportService({ queries, clock, timeZone, serviceLevelS: 15 });
    const [version] = await rows(db, 'SELECT VERSION() AS v, @@innodb_buffer_pool_size AS bp, @@innodb_log_file_size AS log');

    const started = performance.now();
    const timings = await timeReports(service, queries.callDays, endMs, runs);
    await queries.callDays.clear();
    const sql = await timeSql(db, endMs);
    const sizes = await dataSizes(db);
    const totalS = (performance.now() - started) / 1000;

    const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
    const findings = existsSync(out) ? /<!-- findings:start -->([\s\S]*?)<!-- findings:end -->/.exec(readFileSync(out, 'utf8'))?.[1] : undefined;
    const md: string[] = [
      '# Reports benchmark',
      '',
      'Generated by `scripts/bench-reports.ts` on data from `scripts/generate-data.ts`. Times are wall-clock',
      'milliseconds through `ReportService` (the code behind `GET /api/reports/*`), MariaDB over TCP on the same',
      'machine, at 08:00 after the last day (every day settled). "first" is the first run for that period, with no',
      'day\'s call counts stored (report_call_days emptied before it; it stores them); "again" are the runs after',
      'it, which read them. Not a cold server: earlier periods warmed the',
      'buffer pool. CSV is the same report plus `summaryCsv`/`unitsCsv`/`categoriesCsv` (the formatting is the',
      'difference). A run slower than 30 s is not repeated; a report or query whose time scaled from the previous',
      'period (× days ratio) passes 60 s is skipped and shown as that estimate (`≈ … est.`).',
      '',
      '## Machine',
      '',
      `- ${String(os.cpus().length)} cores (${cpu}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM`,
      `- Node ${process.version}; MariaDB ${String(version?.v)}: innodb_buffer_pool_size ${(Number(version?.bp) / 2 ** 20).toFixed(0)} MiB, innodb_log_file_size ${(Number(version?.log) / 2 ** 20).toFixed(0)} MiB${Number(version?.bp) === 128 * 2 ** 20 ? ' (server defaults, not tuned)' : ''}`,
      `- periods end ${new Date(endMs).toISOString()} (midnight ${timeZone} after the last order); benchmark took ${totalS.toFixed(0)} s`,
      '',
      '## Data',
      '',
      ...sizes,
      '',
      '## Reports (ms)',
      '',
      '| report | period | first | again min | again median | CSV again min | CSV again median | runs |',
      '|---|--:|--:|--:|--:|--:|--:|--:|',
      ...timings.map((t) =>
        t.estimate !== null
          ? `| ${t.report} | ${String(t.days)} d | skipped: ≈ ${fmt(t.estimate)} est. | | | | | 0 |`
          : `| ${t.report} | ${String(t.days)} d | ${fmt(t.json[0] ?? 0)} | ${fmt(min(again(t.json)))} | ${fmt(median(again(t.json)))} | ${fmt(min(again(t.csv)))} | ${fmt(median(again(t.csv)))} | ${String(t.json.length)} |`,
      ),
      '',
      '## Each query alone (ms, one warm run) and its plan',
      '',
      `| query (sql/reports) | ${PERIOD_DAYS.map((d) => `${String(d)} d`).join(' | ')} | full scans (30 d) |`,
      `|---|${PERIOD_DAYS.map(() => '--:').join('|')}|---|`,
      ...Object.keys(reportSqlFiles()).map((file) => {
        const cells = PERIOD_DAYS.map((d) => {
          const t = sql.find((s) => s.file === file && s.days === d);
          return t?.ms != null ? fmt(t.ms) : `≈ ${fmt(t?.estimate ?? 0)} est.`;
        });
        const plan = sql.find((s) => s.file === file && s.days === 30)?.plan ?? [];
        const scans = plan.filter((r) => isFullScan(r)).map((r) => `${r.table ?? '-'} (${r.type ?? '-'}, ${String(r.rows)} rows)`);
        return `| ${file} | ${cells.join(' | ')} | ${scans.length === 0 ? '–' : scans.join(', ')} |`;
      }),
      '',
      'Plans for 30 days (`table:type:key:rows estimated`, **FULL** = full table or index scan over 10,000 rows):',
      '',
      ...Object.keys(reportSqlFiles()).map((file) => `- \`${file}\`: ${describePlan(sql.find((s) => s.file === file && s.days === 30)?.plan ?? [])}`),
      '',
      '## Findings',
      '',
      FINDINGS_START,
      findings ?? '\n(Written by hand after a run; kept when the benchmark rewrites this file.)\n',
      FINDINGS_END,
      '',
      '## Reproduce',
      '',
      '```sh',
      '# ~1M orders (+ ~7M order events), 5M calls (+ ~20M queue events), 90 days; --scale 0.1 for a tenth',
      'npx tsx scripts/generate-data.ts --url mysql://root@127.0.0.1:3306/hotline_bench_gen --orders 1000000 --calls 5000000 --days 90 --seed 1 --end 2026-03-01',
      'npx tsx scripts/bench-reports.ts --url mysql://root@127.0.0.1:3306/hotline_bench_gen',
      'mysql -h127.0.0.1 -uroot -e "DROP DATABASE hotline_bench_gen"',
      '```',
      '',
      'The generator needs `local_infile=ON` on the server (LOAD DATA LOCAL INFILE, streamed from memory).',
      '',
    ];
    writeFileSync(out, md.join('\n'));
    console.log(`wrote ${out}`);
  } finally {
    await db.close();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
  process.exitCode = 1;
});
