/**
 * `npx tsx scripts/bench-records.ts [sqlite|mariadb|both]`: cost of the call-record path (issue 15).
 * N calls' worth of record writes (create + answered + ended, and two queue events: entered, answered)
 * go through the durable records (record spool → database) of a fresh, migrated database; the script
 * waits until the spool's backlog is empty and checks the rows. It prints the total time, ops/s, and
 * CPU per call: process CPU (process.cpuUsage: every thread, so SQLite's and fsync's pool threads too)
 * and the main thread's own CPU (Linux /proc/self/task/<pid>/stat, 10 ms ticks), which is what the
 * record path takes from call handling. Both are CPU time, not inflated by other processes' load.
 *
 * Modes: `BENCH_RATE=0` (default) submits everything at once (throughput); `BENCH_RATE=200` paces the
 * calls at 200 calls/s (CPU per call at a steady load, small batches). `BENCH_CALLS` (default 3000).
 * MariaDB: 127.0.0.1:3306 as root, a database of its own, dropped afterwards.
 * Numbers on a shared machine are noisy: run it more than once.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { QueryTypes } from 'sequelize';
import { openDatabase, type Database } from '../src/db/database.js';
import { openDurableRecords } from '../src/db/durable-records.js';
import { createMysqlDatabase, dropMysqlDatabase } from '../src/db/mysql-admin.js';
import { createLogger, silentLogger } from '../src/logging/logger.js';
import { systemClock } from '../src/shared/clock.js';

const CALLS = Number(process.env.BENCH_CALLS ?? 3000);
const RATE = Number(process.env.BENCH_RATE ?? 0);
/** Calls in flight at once: their writes interleave as live calls' do. */
const WAVE = 50;
const MARIADB_SERVER = 'mysql://root@127.0.0.1:3306';

interface Result {
  readonly kind: string;
  readonly ms: number;
  readonly ops: number;
  readonly cpuMsPerCall: number;
  readonly mainMsPerCall: number;
}

async function withDatabase(kind: 'sqlite' | 'mariadb', fn: (db: Database) => Promise<Result>): Promise<Result> {
  const suffix = `${process.pid}_${randomBytes(3).toString('hex')}`;
  const dir = mkdtempSync(join(tmpdir(), 'bench-records-'));
  const name = `bench_records_${suffix}`;
  const url = kind === 'sqlite' ? `sqlite:${join(dir, 'bench.sqlite')}` : await createMysqlDatabase(MARIADB_SERVER, name);
  const db = await openDatabase(url, silentLogger());
  try {
    await db.migrate();
    return await fn(db);
  } finally {
    await db.close();
    if (kind === 'mariadb') await dropMysqlDatabase(MARIADB_SERVER, name);
    rmSync(dir, { recursive: true, force: true });
  }
}

async function run(kind: 'sqlite' | 'mariadb'): Promise<Result> {
  return withDatabase(kind, async (db) => {
    const spoolDir = mkdtempSync(join(tmpdir(), 'bench-spool-'));
    const logger = process.env.BENCH_LOG === undefined ? silentLogger() : createLogger(process.env.BENCH_LOG);
    const records = await openDurableRecords(db, { dir: spoolDir, maxBytes: 256 * 1_048_576, nodeId: 'bench', clock: systemClock, logger });
    await until(() => records.spool.backlog === 0);
    const base = Date.parse('2026-12-02T08:00:00.000Z');
    const submitted: Promise<void>[] = [];
    const mainBefore = mainThreadCpuMs();
    const cpu = process.cpuUsage();
    const start = performance.now();
    for (let first = 0; first < CALLS; first += WAVE) {
      const wave = Array.from({ length: Math.min(WAVE, CALLS - first) }, (_, i) => first + i);
      const at = (i: number, ms: number): Date => new Date(base + i * 100 + ms);
      for (const i of wave) {
        const callId = `bench-${i}@10.0.0.1`;
        submitted.push(records.calls.create({ callId, direction: 'inbound', from: '13812345678', to: '12345', startedAt: at(i, 0) }));
        submitted.push(records.acd.addQueueEvent({ callId, queue: 'general', event: 'entered', agentId: null, extension: null, waitMs: null, talkMs: null, at: at(i, 3_000) }));
      }
      for (const i of wave) {
        const callId = `bench-${i}@10.0.0.1`;
        submitted.push(records.calls.update(callId, { answeredAt: at(i, 200) }));
        submitted.push(records.acd.addQueueEvent({ callId, queue: 'general', event: 'answered', agentId: '7', extension: '8001', waitMs: 4_000, talkMs: null, at: at(i, 7_000) }));
      }
      for (const i of wave) {
        const callId = `bench-${i}@10.0.0.1`;
        submitted.push(records.calls.update(callId, { endedAt: at(i, 60_000), endReason: 'hangup', hungUpBy: 'caller', digits: '1', ivrPath: 'welcome,main-menu,queue' }));
      }
      if (RATE > 0) {
        const due = start + ((first + wave.length) / RATE) * 1000;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      }
    }
    await Promise.all(submitted);
    await until(() => records.spool.backlog === 0);
    const ms = performance.now() - start;
    const used = process.cpuUsage(cpu);
    const mainMs = mainThreadCpuMs() - mainBefore;
    await records.spool.close();
    rmSync(spoolDir, { recursive: true, force: true });

    const [row] = await db.sequelize.query<{ n: number; ended: number }>("SELECT COUNT(*) AS n, SUM(CASE WHEN end_reason = 'hangup' AND answered_at IS NOT NULL THEN 1 ELSE 0 END) AS ended FROM calls", { type: QueryTypes.SELECT });
    const [events] = await db.sequelize.query<{ n: number }>('SELECT COUNT(*) AS n FROM queue_events', { type: QueryTypes.SELECT });
    if (Number(row?.n) !== CALLS || Number(row?.ended) !== CALLS || Number(events?.n) !== 2 * CALLS) {
      throw new Error(`${kind}: expected ${CALLS} ended calls and ${2 * CALLS} queue events, found ${row?.n}/${row?.ended} and ${events?.n}`);
    }
    return { kind, ms, ops: 5 * CALLS, cpuMsPerCall: (used.user + used.system) / 1000 / CALLS, mainMsPerCall: mainMs / CALLS };
  });
}

/** CPU time of the main thread (user + system) in ms, from /proc (Linux; ticks of 10 ms). */
function mainThreadCpuMs(): number {
  const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
  // Fields after the command name (which is in parentheses and may hold spaces): utime is the 12th, stime the 13th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 5));
}

const which = process.argv[2] ?? 'both';
const kinds: ('sqlite' | 'mariadb')[] = which === 'both' ? ['sqlite', 'mariadb'] : which === 'sqlite' || which === 'mariadb' ? [which] : [];
if (kinds.length === 0) throw new Error(`unknown database "${which}": use sqlite, mariadb or both`);
console.log(`${CALLS} calls, 5 record writes each, ${RATE > 0 ? `paced at ${RATE} calls/s` : 'submitted at once'}`);
console.log('| database | total s | ops/s | process CPU ms/call | main-thread CPU ms/call |\n|---|---|---|---|---|');
for (const kind of kinds) {
  const r = await run(kind);
  console.log(`| ${r.kind} | ${(r.ms / 1000).toFixed(2)} | ${Math.round((r.ops / r.ms) * 1000)} | ${r.cpuMsPerCall.toFixed(3)} | ${r.mainMsPerCall.toFixed(3)} |`);
}
