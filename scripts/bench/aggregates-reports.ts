/**
 * The reports of issue 14 timed for scripts/bench-aggregates.ts: summary, units, categories and the
 * daily trend through ReportService on AggregateReportQueries, for the last 1, 7, 30, 90 and 365 days.
 * "first" is the first call of that report and period on new instances (service, queries, aggregates:
 * none of their caches filled), with the buffer-pool pages read from disk during it; "again" the calls
 * after it on the same instances.
 */
import { QueryTypes, type Sequelize } from 'sequelize';
import { AggregateReportQueries } from '../../src/db/aggregate-report-queries.js';
import { ReportAggregates } from '../../src/db/report-aggregates.js';
import { SequelizeReportQueries } from '../../src/db/report-queries.js';
import { ReportService } from '../../src/metrics/report-service.js';

export const PERIOD_DAYS = [1, 7, 30, 90, 365] as const;
export const REPORTS = ['summary', 'units', 'categories', 'daily trend'] as const;
export type ReportName = (typeof REPORTS)[number];

export interface ReportTiming {
  readonly report: ReportName;
  readonly days: number;
  readonly firstMs: number;
  /** Innodb_buffer_pool_reads during the first call: pages the buffer pool did not hold. */
  readonly firstPoolReads: number;
  readonly againMinMs: number;
  readonly againMedianMs: number;
  readonly runs: number;
}

type Row = Record<string, unknown>;

async function poolReads(sequelize: Sequelize): Promise<number> {
  const rows = await sequelize.query<Row>("SHOW GLOBAL STATUS LIKE 'Innodb_buffer_pool_reads'", { type: QueryTypes.SELECT });
  return Number(rows[0]?.Value ?? 0);
}

/** The pages of the report tables in the buffer pool, and the pool's size in pages (InnoDB). */
export async function poolState(sequelize: Sequelize, database: string): Promise<{ poolPages: number; tablePages: Record<string, number> }> {
  const [size] = await sequelize.query<Row>("SHOW GLOBAL STATUS LIKE 'Innodb_buffer_pool_pages_total'", { type: QueryTypes.SELECT });
  const rows = await sequelize.query<Row>(
    "SELECT TABLE_NAME AS t, COUNT(*) AS n FROM information_schema.INNODB_BUFFER_PAGE WHERE TABLE_NAME IN (:names) GROUP BY TABLE_NAME",
    { type: QueryTypes.SELECT, replacements: { names: ['report_order_days', 'report_queue_days', 'tickets'].map((t) => `\`${database}\`.\`${t}\``) } },
  );
  return { poolPages: Number(size?.Value ?? 0), tablePages: Object.fromEntries(rows.map((r) => [String(r.t), Number(r.n)])) };
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)] ?? 0;
};

/** Times each report and period, `runs` calls each (the first, then runs − 1 again), at `nowMs`. */
export async function timeReports(sequelize: Sequelize, timeZone: string, nowMs: number, runs: number): Promise<ReportTiming[]> {
  const clock = { now: () => nowMs, setTimeout, clearTimeout } as unknown as ConstructorParameters<typeof ReportService>[0]['clock'];
  const probe = new ReportAggregates(sequelize, timeZone);
  const today = probe.dayOf(nowMs);
  const out: ReportTiming[] = [];
  for (const days of PERIOD_DAYS) {
    const from = probe.dayOf(probe.dayStart(today).getTime() - days * 86_400_000 + 12 * 3_600_000);
    const query = { from, to: today };
    for (const report of REPORTS) {
      const aggregates = new ReportAggregates(sequelize, timeZone);
      const service = new ReportService({ queries: new AggregateReportQueries(sequelize, aggregates, new SequelizeReportQueries(sequelize)), clock, timeZone, serviceLevelS: 15 });
      const run: Record<ReportName, () => Promise<unknown>> = {
        summary: () => service.summary(query),
        units: () => service.units(query),
        categories: () => service.categories(query),
        'daily trend': () => service.daily(query),
      };
      const times: number[] = [];
      const readsBefore = await poolReads(sequelize);
      let firstPoolReads = 0;
      for (let i = 0; i < runs; i++) {
        const t0 = performance.now();
        await run[report]();
        times.push(performance.now() - t0);
        if (i === 0) firstPoolReads = (await poolReads(sequelize)) - readsBefore;
      }
      const again = times.slice(1);
      out.push({ report, days, firstMs: times[0] ?? 0, firstPoolReads, againMinMs: Math.min(...again), againMedianMs: median(again), runs });
    }
  }
  return out;
}
