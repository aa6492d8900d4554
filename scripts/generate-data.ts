/**
 * `npx tsx scripts/generate-data.ts --url mysql://root@127.0.0.1:3306/hotline_gen --orders 1000000 --calls 5000000
 *  [--days 90] [--seed 1] [--end 2026-03-31] [--scale 0.1]`
 *
 * Fills a MySQL/MariaDB database with a realistic history for the reports benchmark
 * (scripts/bench-reports.ts): inbound calls with their queue events, and work orders with their
 * event logs following the lifecycle. Creates the database when missing, migrates it and seeds the
 * units and categories (sql/seed) the way the server does, then bulk-loads with LOAD DATA LOCAL
 * INFILE streamed from memory. The same --seed and --end give the same rows. Refuses a database
 * whose calls or tickets tables already hold rows.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createConnection, type Connection, type RowDataPacket } from 'mysql2/promise';
import { openDatabase, parseDatabaseUrl } from '../src/db/database.js';
import { seedIfEmpty } from '../src/db/seed-loader.js';
import { silentLogger } from '../src/logging/logger.js';
import { BulkLoader, dropIndexes, restoreIndexes, type BulkTable } from './generate/bulk-loader.js';
import { generateCallDay, type AnsweredCall } from './generate/call-day.js';
import { leafCategories, type CategoryRow, type UnitRow } from './generate/catalog.js';
import { parseGenerateArgs, type GenerateArgs } from './generate/generate-args.js';
import { Random } from './generate/random.js';
import { generateTicket, type LifecycleContext } from './generate/ticket-lifecycle.js';
import { DAY_MS, HOUR_MS, localDayCode, localMidnight, localWeekday } from './generate/time.js';
import { TsvBuffer } from './generate/tsv.js';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Indexes built once at the end instead of row by row (their keys arrive in random order). */
const DEFERRED_INDEXES = [
  { table: 'tickets', name: 'tickets_resident_phone_created_at' },
  { table: 'tickets', name: 'tickets_resident_phone_category_id_created_at' },
  { table: 'ticket_events', name: 'ticket_events_type_at_ticket_id' },
  // Near-sequential, but three more B-trees per row of the largest table: sorting once is cheaper.
  { table: 'queue_events', name: 'queue_events_at' },
  { table: 'queue_events', name: 'queue_events_call_id' },
  { table: 'queue_events', name: 'queue_events_event_at_call_id' },
] as const;

/** Share of work orders taken on a call (the rest: web, app, letters). */
const LINKED_SHARE = 0.85;
const DUPLICATE_SHARE = 0.03;

function dayWeights(firstDay: number, days: number): number[] {
  const w: number[] = [];
  for (let d = 0; d < days; d++) {
    const wd = localWeekday(firstDay + d * DAY_MS + 12 * HOUR_MS);
    w.push(wd === 0 || wd === 6 ? 0.72 : wd === 1 ? 1.15 : 1);
  }
  return w;
}

/** Splits `total` over the days in proportion to `weights` (largest remainder: the sum is exact). */
function allocate(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  const exact = weights.map((w) => (total * w) / sum);
  const counts = exact.map(Math.floor);
  let left = total - counts.reduce((a, b) => a + b, 0);
  const order = exact.map((x, i) => [x - Math.floor(x), i] as const).sort((a, b) => b[0] - a[0]);
  for (const [, i] of order) {
    if (left-- <= 0) break;
    counts[i] = (counts[i] ?? 0) + 1;
  }
  return counts;
}

async function prepareDatabase(args: GenerateArgs): Promise<void> {
  const target = parseDatabaseUrl(args.url);
  const o = target.options;
  if (target.dialect !== 'mysql' || o.database === undefined) throw new Error('--url must be mysql://user@host:port/<database>');
  const admin = await createConnection({ host: o.host, port: o.port, user: o.username, password: o.password });
  try {
    await admin.query(`CREATE DATABASE IF NOT EXISTS \`${o.database.replace(/`/g, '')}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  } finally {
    await admin.end();
  }
  const db = await openDatabase(args.url, silentLogger());
  try {
    await db.migrate();
    await seedIfEmpty(db.sequelize, path.join(REPO_ROOT, 'sql', 'seed'));
  } finally {
    await db.close();
  }
}

async function connectLoader(args: GenerateArgs): Promise<Connection> {
  const o = parseDatabaseUrl(args.url).options;
  const conn = await createConnection({ host: o.host, port: o.port, user: o.username, password: o.password, database: o.database, charset: 'utf8mb4', flags: ['+LOCAL_FILES'] });
  // Bulk load: no unique or foreign-key checks per row (the generator's ids are consistent by
  // construction), and DATETIME text taken as UTC like the server's own writes.
  await conn.query("SET SESSION unique_checks = 0, foreign_key_checks = 0, time_zone = '+00:00'");
  return conn;
}

async function count(conn: Connection, table: string): Promise<number> {
  const [rows] = await conn.query<RowDataPacket[]>(`SELECT COUNT(*) AS n FROM (SELECT 1 FROM \`${table}\` LIMIT 1) x`);
  return Number(rows[0]?.n ?? 0);
}

async function main(): Promise<void> {
  const args = parseGenerateArgs(process.argv.slice(2));
  const started = Date.now();
  const endMs = localMidnight(args.end);
  const firstDay = endMs - args.days * DAY_MS;
  console.log(`generating ${String(args.calls)} calls and ${String(args.orders)} orders over ${String(args.days)} days ending ${args.end} (seed ${String(args.seed)})`);
  await prepareDatabase(args);
  const conn = await connectLoader(args);
  const second = await connectLoader(args);
  try {
    for (const table of ['calls', 'queue_events', 'tickets', 'ticket_events'] as const) {
      if ((await count(conn, table)) > 0) throw new Error(`table ${table} already holds rows: generate into an empty database`);
    }
    const [unitRows] = await conn.query<RowDataPacket[]>('SELECT id, code FROM handling_units WHERE active = 1 ORDER BY id');
    const units: UnitRow[] = unitRows.map((r) => ({ id: Number(r.id), code: String(r.code) }));
    const [catRows] = await conn.query<RowDataPacket[]>('SELECT id, parent_id, code, name, default_unit_id, reply_days, reply_hours, sign_days, active FROM categories');
    const rnd = new Random(args.seed);
    const leaves = leafCategories(catRows as unknown as CategoryRow[], () => 0.2 + rnd.next() ** 3 * 3);
    if (leaves.length === 0 || units.length === 0) throw new Error('no categories or units after seeding');
    // A few categories rise over the period (热点), so the categories report has something to find.
    const rising = new Set(leaves.filter(() => rnd.chance(0.08)).map((c) => c.id));

    const deferred = await dropIndexes(conn, DEFERRED_INDEXES);
    const loader = new BulkLoader([conn, second]);
    const weights = dayWeights(firstDay, args.days);
    const callsPerDay = allocate(args.calls, weights);
    const ordersPerDay = allocate(args.orders, weights);
    const phonePool = Math.max(1000, Math.round(args.calls * 0.4));
    const buffers: Record<BulkTable, TsvBuffer> = { calls: new TsvBuffer(), queue_events: new TsvBuffer(), tickets: new TsvBuffer(), ticket_events: new TsvBuffer() };
    const ctx: LifecycleContext = { rnd, units, endMs, tickets: buffers.tickets, events: buffers.ticket_events, nextEventId: 1 };
    const sequences = new Map<string, number>();
    const recent: { id: number; phone: string; categoryId: number }[] = [];
    let callSeq = 1;
    let ticketId = 1;
    let generated = { calls: 0, queue_events: 0, tickets: 0, ticket_events: 0 };
    try {
      for (let day = 0; day < args.days; day++) {
        const dayStart = firstDay + day * DAY_MS;
        const answered: AnsweredCall[] = [];
        const nCalls = callsPerDay[day] ?? 0;
        generateCallDay(rnd, dayStart, nCalls, callSeq, phonePool, { calls: buffers.calls, queueEvents: buffers.queue_events }, answered);
        callSeq += nCalls;

        // Orders of the day: most taken on one of the day's answered calls (chosen in time order), the rest from the web.
        const nOrders = ordersPerDay[day] ?? 0;
        const linkedWanted = Math.min(Math.round(nOrders * LINKED_SHARE), answered.length);
        const intakes: { ms: number; call: AnsweredCall | null }[] = [];
        let need = linkedWanted;
        for (let i = 0; i < answered.length && need > 0; i++) {
          const call = answered[i];
          if (call !== undefined && rnd.next() * (answered.length - i) < need) {
            intakes.push({ ms: call.talkEndMs - rnd.int(0, 20_000), call });
            need--;
          }
        }
        for (let i = linkedWanted; i < nOrders; i++) intakes.push({ ms: dayStart + rnd.between(7.5, 21) * HOUR_MS, call: null });
        intakes.sort((a, b) => a.ms - b.ms);
        const weightOf = (c: { id: number; weight: number }): number => c.weight * (rising.has(c.id) ? 1 + (2.5 * day) / args.days : 1);
        const totalWeight = leaves.reduce((a, c) => a + weightOf(c), 0);
        for (const intake of intakes) {
          if (intake.ms >= endMs) continue;
          let x = rnd.next() * totalWeight;
          let category = leaves[leaves.length - 1] ?? leaves[0];
          for (const c of leaves) {
            x -= weightOf(c);
            if (x < 0) {
              category = c;
              break;
            }
          }
          if (category === undefined) continue;
          let phone = intake.call?.phone ?? `1${String(rnd.int(3, 9))}${String(rnd.int(0, 999_999_999)).padStart(9, '0')}`;
          let callId = intake.call?.callId ?? null;
          let duplicateOf: number | null = null;
          const original = recent.length > 100 && rnd.chance(DUPLICATE_SHARE) ? rnd.pick(recent) : undefined;
          if (original !== undefined) {
            // Same caller, same matter, again within days: a 重复件 linked to the first order.
            phone = original.phone;
            duplicateOf = original.id;
            callId = null;
            category = leaves.find((c) => c.id === original.categoryId) ?? category;
          }
          const dayCode = localDayCode(intake.ms);
          const seq = (sequences.get(dayCode) ?? 0) + 1;
          sequences.set(dayCode, seq);
          const id = ticketId++;
          generateTicket(ctx, { id, code: `${dayCode}-${String(seq).padStart(6, '0')}`, createdMs: intake.ms, phone, callId, agentUserId: 1000 + rnd.int(1, 240), category, duplicateOf });
          recent.push({ id, phone, categoryId: category.id });
          if (recent.length > 20_000) recent.splice(0, 5_000);
        }

        for (const table of ['calls', 'queue_events', 'tickets', 'ticket_events'] as const) {
          const { text, rows } = buffers[table].take();
          generated = { ...generated, [table]: generated[table] + rows };
          loader.load(table, text, rows);
        }
        await loader.waitBelow(8);
        const s = (Date.now() - started) / 1000;
        const rows = Object.values(loader.loaded).reduce((a, b) => a + b, 0);
        if (day % 5 === 4 || day === args.days - 1) {
          console.log(
            `day ${String(day + 1)}/${String(args.days)}: generated calls ${String(generated.calls)}, queue_events ${String(generated.queue_events)}, tickets ${String(generated.tickets)}, ticket_events ${String(generated.ticket_events)}; loaded ${String(rows)} rows, ${String(Math.round(rows / s))} rows/s, ${s.toFixed(0)} s`,
          );
        }
      }
      await loader.drain();
      const loadedS = (Date.now() - started) / 1000;
      console.log(`loaded in ${loadedS.toFixed(1)} s: ${JSON.stringify(loader.loaded)}`);
      const seqRows = [...sequences].map(([d, v]) => [d, v]);
      if (seqRows.length > 0) await conn.query('INSERT INTO ticket_sequences (day, last_value) VALUES ? ON DUPLICATE KEY UPDATE last_value = VALUES(last_value)', [seqRows]);
    } finally {
      const t0 = Date.now();
      // Also after a failure, so the schema is left as the migrations made it (the failure itself is rethrown).
      await restoreIndexes(conn, deferred).then(
        () => {
          console.log(`deferred indexes rebuilt in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
        },
        (err: unknown) => {
          console.error(`rebuilding the deferred indexes failed: ${err instanceof Error ? err.message : String(err)}`);
        },
      );
    }
    const t1 = Date.now();
    await conn.query('ANALYZE TABLE calls, queue_events, tickets, ticket_events');
    console.log(`analyzed in ${((Date.now() - t1) / 1000).toFixed(1)} s`);
    const totalS = (Date.now() - started) / 1000;
    const rows = Object.values(loader.loaded).reduce((a, b) => a + b, 0);
    console.log(`done in ${totalS.toFixed(1)} s: ${String(rows)} rows, ${String(Math.round(rows / totalS))} rows/s overall`);
  } finally {
    await second.end();
    await conn.end();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
  process.exitCode = 1;
});
