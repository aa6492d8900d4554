/**
 * `npx tsx scripts/bench-aggregates.ts --url mysql://root@127.0.0.1:3306/agg_bench [--runs 3] [--tz Asia/Shanghai] [--writes 300]`
 *
 * The per-day report aggregates (issue 14) on a database filled by scripts/generate-data.ts (which
 * loads rows behind the repositories): fills them with the rebuild (`npm run report-aggregates -- --all`,
 * timed), then times every report through ReportService for the last 1, 30, 90 and 365 days, first and
 * again, and the write side: what keeping the aggregates adds to one order event (facts before/after and
 * the upsert, inside a transaction) and to one queue event of a spool batch (p50/p99 per event).
 * Prints a Markdown block for docs/bench-reports.md.
 */
import { parseArgs } from 'node:util';
import { QueryTypes } from 'sequelize';
import { AggregateReportQueries } from '../src/db/aggregate-report-queries.js';
import { openDatabase } from '../src/db/database.js';
import { ReportAggregateRebuild } from '../src/db/report-aggregate-rebuild.js';
import { ReportAggregates, rawDate } from '../src/db/report-aggregates.js';
import { SequelizeReportQueries } from '../src/db/report-queries.js';
import { ticketTransaction } from '../src/db/ticket-transaction.js';
import { silentLogger } from '../src/logging/logger.js';
import type { FactEvent } from '../src/metrics/order-facts.js';
import type { QueueRowFact } from '../src/metrics/queue-facts.js';
import { ReportService } from '../src/metrics/report-service.js';

const { values } = parseArgs({ options: { url: { type: 'string' }, runs: { type: 'string' }, tz: { type: 'string' }, writes: { type: 'string' } } });
if (values.url === undefined) throw new Error('--url is required');
const runs = Number(values.runs ?? 3);
const timeZone = values.tz ?? 'Asia/Shanghai';
const writes = Number(values.writes ?? 300);

type Row = Record<string, unknown>;
const fmt = (ms: number): string => (ms >= 100 ? ms.toFixed(0) : ms >= 1 ? ms.toFixed(1) : ms.toFixed(3));
const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0;
};

async function timed<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const t0 = performance.now();
  const out = await fn();
  return [performance.now() - t0, out];
}

async function main(): Promise<void> {
  const db = await openDatabase(values.url ?? '', silentLogger());
  const { sequelize } = db;
  const select = (sql: string, replacements: Row = {}): Promise<Row[]> => sequelize.query<Row>(sql, { type: QueryTypes.SELECT, replacements });
  try {
    const counts = Object.fromEntries(
      await Promise.all(['tickets', 'ticket_events', 'queue_events', 'report_order_days', 'report_queue_days'].map(async (t) => [t, Number((await select(`SELECT COUNT(*) AS n FROM ${t}`))[0]?.n ?? 0)] as const)),
    );
    const aggregates = new ReportAggregates(sequelize, timeZone);
    const rebuild = new ReportAggregateRebuild(sequelize, aggregates);
    const range = await rebuild.fullRange();
    if (range === undefined) throw new Error('the database holds no history');
    const [rebuildMs, written] = await timed(() => rebuild.rebuild(range, { all: true }));
    const rowsAfter = Object.fromEntries(
      await Promise.all(['report_order_days', 'report_queue_days'].map(async (t) => [t, Number((await select(`SELECT COUNT(*) AS n FROM ${t}`))[0]?.n ?? 0)] as const)),
    );

    // "now": 08:00 the day after the last order.
    const [last] = await select('SELECT MAX(created_at) AS at FROM tickets');
    const lastDay = aggregates.dayOf(rawDate(last?.at).getTime());
    const end = aggregates.dayStart(aggregates.nextDay(lastDay));
    const clock = { now: () => end.getTime() + 8 * 3_600_000, setTimeout, clearTimeout } as unknown as ConstructorParameters<typeof ReportService>[0]['clock'];
    const service = new ReportService({ queries: new AggregateReportQueries(sequelize, aggregates, new SequelizeReportQueries(sequelize)), clock, timeZone, serviceLevelS: 15 });
    const dayString = (ms: number): string => aggregates.dayOf(ms);
    const lines: string[] = ['| report | period | first ms | again min ms | again median ms |', '|---|--:|--:|--:|--:|'];
    for (const days of [1, 30, 90, 365]) {
      const from = dayString(end.getTime() - days * 86_400_000 + 12 * 3_600_000);
      const query = { from, to: dayString(end.getTime() + 12 * 3_600_000) };
      const reports: [string, () => Promise<unknown>][] = [
        ['summary', () => service.summary(query)],
        ['units', () => service.units(query)],
        ['categories', () => service.categories(query)],
        ['daily trend', () => service.daily(query)],
      ];
      for (const [name, run] of reports) {
        const times: number[] = [];
        for (let i = 0; i < runs; i++) times.push((await timed(run))[0]);
        const rest = times.slice(1);
        lines.push(`| ${name} | ${String(days)} d | ${fmt(times[0] ?? 0)} | ${fmt(Math.min(...rest))} | ${fmt(pct(rest, 50))} |`);
      }
    }

    // Write side: an order's dispatch and a queue batch, measured around the aggregate part only, in
    // the transaction the repositories use (rolled back, so the data stays as generated).
    const sample = await select('SELECT id, created_at, category_id, current_unit_id, sign_by, reply_by FROM tickets ORDER BY id DESC LIMIT :n', { n: writes });
    const orderMs: number[] = [];
    for (const t of sample) {
      const log = (await select('SELECT id, type, at, unit_id, data FROM ticket_events WHERE ticket_id = :id ORDER BY id', { id: t.id })).map(
        (e): FactEvent => ({ id: Number(e.id), type: String(e.type), at: rawDate(e.at), unitId: e.unit_id === null ? null : Number(e.unit_id), data: String(e.data) }),
      );
      const order = { createdAt: rawDate(t.created_at), categoryId: Number(t.category_id), currentUnitId: t.current_unit_id === null ? null : Number(t.current_unit_id), signBy: t.sign_by === null ? null : rawDate(t.sign_by), replyBy: t.reply_by === null ? null : rawDate(t.reply_by) };
      const next: FactEvent = { id: 1e12, type: 'dispatched', at: new Date(clock.now()), unitId: order.currentUnitId ?? 1, data: '{}' };
      await ticketTransaction(sequelize, async (transaction) => {
        const t0 = performance.now();
        await aggregates.applyOrderChange(aggregates.facts(order, log), aggregates.facts(order, [...log, next]), transaction);
        orderMs.push(performance.now() - t0);
        throw new Rollback();
      }).catch((err: unknown) => {
        if (!(err instanceof Rollback)) throw err;
      });
    }
    const batchMs: number[] = [];
    const batchSize = 50;
    for (let b = 0; b < Math.max(1, Math.floor(writes / 10)); b++) {
      const at = clock.now() + b * 60_000;
      const batch: QueueRowFact[] = [];
      for (let i = 0; batch.length < batchSize; i++) {
        const callId = `bench-${String(b)}-${String(i)}`;
        batch.push({ callId, queue: 'general', event: 'entered', waitMs: 0, at: new Date(at) });
        batch.push({ callId, queue: 'general', event: 'answered', waitMs: (i % 40) * 1000, at: new Date(at + (i % 40) * 1000) });
      }
      await ticketTransaction(sequelize, async (transaction) => {
        const t0 = performance.now();
        const stored = await aggregates.storedPartners(batch.map((r) => r.callId), transaction);
        await aggregates.addQueueEvents(batch, stored, transaction);
        batchMs.push((performance.now() - t0) / batch.length);
        throw new Rollback();
      }).catch((err: unknown) => {
        if (!(err instanceof Rollback)) throw err;
      });
    }

    console.log(`Data: ${JSON.stringify(counts)}; aggregates after the rebuild: ${JSON.stringify(rowsAfter)}`);
    console.log(`Rebuild of ${range.fromDay}..${range.toDay}: ${fmt(rebuildMs)} ms (${String(written.orderRows)} order rows, ${String(written.queueRows)} queue rows)`);
    console.log(lines.join('\n'));
    console.log(`\nWrite side, added per event (ms): order event p50 ${fmt(pct(orderMs, 50))}, p99 ${fmt(pct(orderMs, 99))} (${String(orderMs.length)} events); queue event in a batch of ${String(batchSize)} p50 ${fmt(pct(batchMs, 50))}, p99 ${fmt(pct(batchMs, 99))} (${String(batchMs.length)} batches)`);
  } finally {
    await db.close();
  }
}

class Rollback extends Error {}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
  process.exitCode = 1;
});
