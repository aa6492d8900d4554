/**
 * `npm run report-aggregates -- --from 2026-11-01 --to 2026-12-01` (local days of config TZ, `to`
 * exclusive) rebuilds the per-day report aggregates of that period from the event log; `--all` rebuilds
 * every day the log holds; `--check` only compares and repairs (what the nightly job does), printing the
 * differences. For after an import (rows written behind the repositories), a change of TZ, or a
 * migration that adds a counter.
 */
import { loadConfig } from '../src/config/config.js';
import { openDatabase } from '../src/db/database.js';
import { ReportAggregateRebuild, type DayRange } from '../src/db/report-aggregate-rebuild.js';
import { ReportAggregates } from '../src/db/report-aggregates.js';
import { createLogger } from '../src/logging/logger.js';

const DAY = /^\d{4}-\d{2}-\d{2}$/;

function argument(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? undefined : process.argv[i + 1];
}

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL);
  const db = await openDatabase(config.DATABASE_URL, logger);
  try {
    const rebuild = new ReportAggregateRebuild(db.sequelize, new ReportAggregates(db.sequelize, config.TZ));
    const all = process.argv.includes('--all');
    const from = argument('from');
    const to = argument('to');
    let range: DayRange | undefined;
    if (all) range = await rebuild.fullRange();
    else if (from !== undefined && to !== undefined && DAY.test(from) && DAY.test(to) && from < to) range = { fromDay: from, toDay: to };
    else throw new Error('usage: npm run report-aggregates -- (--from YYYY-MM-DD --to YYYY-MM-DD | --all) [--check]');
    if (range === undefined) {
      logger.info('the event log is empty: nothing to rebuild');
      return;
    }
    const started = Date.now();
    if (process.argv.includes('--check')) {
      const differences = await rebuild.reconcile(range);
      for (const d of differences) logger.warn('report aggregate repaired', { table: d.table, row: d.key, counters: d.counters });
      logger.info('report aggregates checked', { ...range, repairedRows: differences.length, ms: Date.now() - started });
    } else {
      const written = await rebuild.rebuild(range, { all });
      logger.info('report aggregates rebuilt', { ...range, ...written, ms: Date.now() - started });
    }
  } finally {
    await db.close();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exitCode = 1;
});
