/**
 * `npm run bench [-- --quick]`: load the real server with sipp on 127.0.0.1 and report, as a Markdown
 * table printed and written to docs/bench-results.md:
 *   1. sustained calls/s with no failed call (stepped call rates, calls held a few seconds),
 *   2. concurrent calls held with media (stepped plateaus),
 *   3. INVITE→200 p50/p99 (sipp -trace_rtt, and the server's histogram),
 *   4. RTP send lateness p99 under load, 5. memory per active call, 6. CPU,
 *   7. ACD: agent ready / caller enters the queue → the agent's INVITE (scripts/bench/acd-phase.ts).
 * Every step runs against a fresh server (so the since-start gauges cover that step only), is bounded
 * in time, and stops the ladder at its first failure. Exit code 0 when the run completed (failed
 * steps are results), 1 when the benchmark itself could not run.
 */
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePortRange } from '../test/support/ports.js';
import { REPO_ROOT, startServer, type ServerHandle } from '../test/support/server-process.js';
import { startSipp, type SippResult } from '../test/support/sipp.js';
import { runAcdPhase, type AcdPhaseResult, type LatencyStats } from './bench/acd-phase.js';
import { BENCH_ADMIN, BenchApi, type CallRow } from './bench/api.js';
import { percentile, processCpuSeconds, readRttCsv, sippVersion } from './bench/measure.js';
import { histogramQuantile, sample, scrape, type Scrape } from './bench/prom.js';
import { fmt, kib, mib, ms, table, writeResults, type Cell } from './bench/report.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const LOAD_SCENARIO = path.join(here, 'bench', 'uac-load.xml');
const RESULTS_FILE = path.join(REPO_ROOT, 'docs', 'bench-results.md');

/** RTP ports per server: 1000 even ports, so 1000 media sessions at most. */
const RTP_PORTS = 2000;
/** The default IVR hangs up by itself after about 36 s; a held call must end well before. */
const MAX_HOLD_S = 30;
/** Per <recv> timeout given to sipp: a 200 or BYE answer later than this fails the call. */
const RECV_TIMEOUT_MS = 10_000;
/** One RTP port range for every server of the run (they run one after another). */
const rtpRange = { min: 0 };

interface Plan {
  mode: 'full' | 'quick';
  /** Offered call rates (calls/s), ascending. */
  rates: number[];
  /** Seconds of calls at each rate. */
  rateStepS: number;
  /** How long each call of the rate steps is held (ms). */
  rateHoldMs: number;
  /** Simultaneous-call plateaus, ascending. */
  levels: number[];
  /** Seconds the plateau is measured over. */
  plateauS: number;
  /** Upper bound on the ramp rate of the concurrency steps. */
  maxRampRate: number;
  /** Whole-run budget: a step that would not fit is skipped. */
  budgetS: number;
  /** How long to wait for the call records of a step to be complete. */
  recordsBoundS: number;
  /** Agents of the ACD phase (twice as many callers). */
  acdAgents: number;
}

const FULL: Plan = {
  mode: 'full',
  rates: [10, 20, 40, 80, 120, 160],
  rateStepS: 20,
  rateHoldMs: 5000,
  levels: [100, 200, 400, 800],
  plateauS: 12,
  maxRampRate: 80,
  budgetS: 570,
  recordsBoundS: 30,
  acdAgents: 50,
};

const QUICK: Plan = {
  mode: 'quick',
  rates: [20, 40],
  rateStepS: 8,
  rateHoldMs: 3000,
  levels: [50, 100],
  plateauS: 5,
  maxRampRate: 50,
  budgetS: 115,
  recordsBoundS: 15,
  acdAgents: 10,
};

const sleep = (msDelay: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, msDelay));

function log(message: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

/** What a step found wrong on the server side (besides sipp's failed calls). */
interface ServerFindings {
  /** Non-empty lines the server wrote at LOG_LEVEL=warn (warnings and errors). */
  logLines: string[];
  /** Exit code of the server on SIGTERM after the step (expected 0). */
  exitCode: number | null | undefined;
  /** Problems that fail the step: calls still active, missing records, unexpected end reasons. */
  problems: string[];
  /** Problems reported without failing the step (slow API, slow shutdown). */
  notes: string[];
  /** Seconds from sipp's end until every call record was stored and ended (undefined: not within the bound). */
  recordsLagS?: number | undefined;
}

interface SippSummary {
  exitCode: number | null;
  timedOut: boolean;
  created: number;
  successful: number;
  failed: number;
  retransmissions: number;
  wallS: number;
  /** INVITE→200 response times measured by sipp (ms). */
  rtt: number[];
  /** First lines of sipp's error file when calls failed. */
  errors: string;
}

interface LatencySummary {
  sippP50?: number | undefined;
  sippP99?: number | undefined;
  sippMax?: number | undefined;
  serverP50?: number | undefined;
  serverP99?: number | undefined;
  serverP99Bucket?: number | undefined;
}

interface RateStep {
  rate: number;
  calls: number;
  ok: boolean;
  reason: string;
  sipp?: SippSummary;
  latency: LatencySummary;
  cpuPct?: number | undefined;
  peakActive?: number | undefined;
  pacingP99?: number | undefined;
  server: ServerFindings;
}

interface LevelStep {
  level: number;
  rampRate: number;
  holdS: number;
  ok: boolean;
  reason: string;
  sipp?: SippSummary;
  latency: LatencySummary;
  activeAtPlateau?: number | undefined;
  rtpSessionsAtPlateau?: number | undefined;
  rssIdle?: number | undefined;
  rssPlateau?: number | undefined;
  heapIdle?: number | undefined;
  heapPlateau?: number | undefined;
  cpuPct?: number | undefined;
  sippCpuPct?: number | undefined;
  pacingP50?: number | undefined;
  pacingP99?: number | undefined;
  pacingMax?: number | undefined;
  server: ServerFindings;
}

/** Reads what sipp left; deletes its working directory when every call succeeded (kept otherwise). */
function summarizeSipp(result: SippResult, startedAt: number): SippSummary {
  const s = result.stats;
  const rtt = readRttCsv(result.dir);
  const clean = result.exitCode === 0 && s?.failed === 0;
  if (clean) rmSync(result.dir, { recursive: true, force: true });
  else log(`sipp files kept in ${result.dir}`);
  return {
    exitCode: result.exitCode,
    timedOut: result.timedOut,
    created: s?.created ?? NaN,
    successful: s?.successful ?? NaN,
    failed: s?.failed ?? NaN,
    retransmissions: s?.retransmissions ?? NaN,
    wallS: (Date.now() - startedAt) / 1000,
    rtt,
    errors: [result.errors, result.stderr]
      .join('\n')
      .split('\n')
      .filter((l) => l.trim().length > 0 && !l.includes('Failed to delete FD from epoll'))
      .slice(0, 8)
      .join('\n'),
  };
}

/** Why a sipp run is not a clean success, or '' when it is. */
function sippFailure(s: SippSummary, expectedCalls: number): string {
  const reasons: string[] = [];
  if (s.timedOut) reasons.push('sipp killed after its time limit');
  if (s.exitCode !== 0) reasons.push(`sipp exit ${String(s.exitCode)}`);
  if (s.failed !== 0) reasons.push(`${fmt(s.failed, 0)} failed calls`);
  if (s.successful !== expectedCalls) reasons.push(`${fmt(s.successful, 0)}/${expectedCalls} calls successful`);
  return reasons.join(', ');
}

function latencyOf(sipp: SippSummary | undefined, before: Scrape | undefined, after: Scrape | undefined): LatencySummary {
  const name = 'hotline_answer_latency_seconds';
  const p50 = after === undefined ? undefined : histogramQuantile(before, after, name, 0.5);
  const p99 = after === undefined ? undefined : histogramQuantile(before, after, name, 0.99);
  const rtt = sipp?.rtt ?? [];
  return {
    sippP50: percentile(rtt, 50),
    sippP99: percentile(rtt, 99),
    sippMax: percentile(rtt, 100),
    serverP50: p50?.estimate,
    serverP99: p99?.estimate,
    serverP99Bucket: p99?.upperBound,
  };
}

async function tryScrape(server: ServerHandle): Promise<Scrape | undefined> {
  try {
    return await scrape(server.baseUrl);
  } catch {
    return undefined;
  }
}

/** Polls until hotline_active_calls is 0; returns the last value seen (undefined: no answer). */
async function waitIdle(server: ServerHandle, timeoutMs: number): Promise<number | undefined> {
  const deadline = Date.now() + timeoutMs;
  let active: number | undefined;
  for (;;) {
    const s = await tryScrape(server);
    active = s === undefined ? undefined : sample(s, 'hotline_active_calls');
    if (active === 0 || Date.now() > deadline) return active;
    await sleep(250);
  }
}

/**
 * After a step: no call left active; then how long the server takes to have one ended record per
 * call (records are written asynchronously: a slow store shows up here as lag, bounded by
 * `recordsBoundS`); then every record ended by the caller's BYE.
 */
async function checkServerAfter(server: ServerHandle, expectedCalls: number, findings: ServerFindings, recordsBoundS: number): Promise<void> {
  const sippEnded = Date.now();
  const active = await waitIdle(server, 10_000);
  if (active === undefined) findings.problems.push('server did not answer GET /metrics after the step');
  else if (active !== 0) findings.problems.push(`${active} calls still active 10 s after sipp ended`);
  const api = new BenchApi(server.baseUrl);
  const deadline = sippEnded + recordsBoundS * 1000;
  let total: number | undefined;
  let rows: CallRow[] = [];
  let lastError = '';
  while (Date.now() < deadline) {
    try {
      total = await api.callTotal(Math.max(1000, deadline - Date.now()));
      if (total >= expectedCalls) {
        rows = await api.allCalls(Math.max(1000, deadline - Date.now()));
        if (rows.length >= expectedCalls && rows.every((r) => r.endedAt !== null)) {
          findings.recordsLagS = (Date.now() - sippEnded) / 1000;
          break;
        }
      }
    } catch (err) {
      lastError = (err as Error).message;
    }
    await sleep(500);
  }
  if (findings.recordsLagS === undefined) {
    const ended = rows.filter((r) => r.endedAt !== null).length;
    findings.notes.push(
      `call records not complete ${recordsBoundS} s after the last call: total ${total === undefined ? 'unknown' : String(total)}/${expectedCalls}` +
        (rows.length > 0 ? `, ${ended} ended` : '') +
        (lastError.length > 0 ? ` (last API error: ${lastError})` : ''),
    );
    return;
  }
  if (total !== expectedCalls) findings.problems.push(`${String(total)} call records for ${expectedCalls} calls`);
  const tally = new Map<string, number>();
  for (const c of rows) {
    const key = `${c.endReason ?? 'not ended'}/${c.hungUpBy ?? '-'}`;
    tally.set(key, (tally.get(key) ?? 0) + 1);
  }
  const unexpected = [...tally].filter(([key]) => key !== 'hangup/caller');
  if (unexpected.length > 0) {
    findings.problems.push(`call records not ended by the caller's BYE: ${unexpected.map(([k, n]) => `${k} ×${n}`).join(', ')}`);
  }
}

/** Deletes the temporary SQLite file of a stopped server (best effort). */
function removeSqlite(databaseUrl: string): void {
  if (!databaseUrl.startsWith('sqlite:')) return;
  const file = databaseUrl.slice('sqlite:'.length);
  if (!file.startsWith(os.tmpdir())) return;
  for (const f of [file, `${file}-journal`, `${file}-wal`, `${file}-shm`]) rmSync(f, { force: true });
}

/** Runs `body` against a fresh server, then stops it and collects its warnings/errors. */
async function withServer<T extends { server: ServerFindings }>(
  body: (server: ServerHandle, findings: ServerFindings) => Promise<Omit<T, 'server'>>,
  onStartFailure: (message: string) => Omit<T, 'server'>,
): Promise<T> {
  const findings: ServerFindings = { logLines: [], exitCode: undefined, problems: [], notes: [] };
  let server: ServerHandle;
  try {
    server = await startServer(
      {
        LOG_LEVEL: 'warn',
        ADMIN_USER: BENCH_ADMIN.username,
        ADMIN_PASSWORD: BENCH_ADMIN.password,
        RTP_PORT_MIN: String(rtpRange.min),
        RTP_PORT_MAX: String(rtpRange.min + RTP_PORTS - 1),
      },
      { rtpPorts: RTP_PORTS },
    );
  } catch (err) {
    const message = `server did not start: ${(err as Error).message.split('\n')[0] ?? ''}`;
    findings.problems.push((err as Error).message);
    return { ...onStartFailure(message), server: findings } as T;
  }
  let result: Omit<T, 'server'>;
  try {
    result = await body(server, findings);
  } finally {
    findings.exitCode = await server.stop('SIGTERM');
    removeSqlite(server.databaseUrl);
    findings.logLines = server
      .logs()
      .split('\n')
      .filter((l) => l.trim().length > 0);
    if (findings.exitCode !== 0) {
      findings.notes.push(`server exit code ${String(findings.exitCode)} on SIGTERM (null: still running 10 s later, killed)`);
    }
  }
  return { ...result, server: findings } as T;
}

function sippTimeoutS(calls: number, rate: number, holdMs: number): number {
  return Math.ceil(calls / rate + holdMs / 1000 + 20);
}

async function runRateStep(plan: Plan, rate: number): Promise<RateStep> {
  const calls = rate * plan.rateStepS;
  return withServer<RateStep>(
    async (server, findings) => {
      await sleep(500);
      const before = await tryScrape(server);
      const started = Date.now();
      const sipp = await startSipp({
        scenario: LOAD_SCENARIO,
        target: `127.0.0.1:${server.sipPort}`,
        calls,
        rate,
        concurrency: Math.min(900, Math.ceil(rate * (plan.rateHoldMs / 1000 + 2) * 1.5)),
        pauseMs: plan.rateHoldMs,
        timeoutS: sippTimeoutS(calls, rate, plan.rateHoldMs),
        extraArgs: ['-trace_rtt', '-rtt_freq', '1', '-recv_timeout', String(RECV_TIMEOUT_MS)],
      });
      // Peak of active calls while sipp runs, sampled every second (bounded by sipp's own limit).
      let peakActive: number | undefined;
      const state = { running: true };
      void sipp.done.then(() => {
        state.running = false;
      });
      while (state.running) {
        const s = await tryScrape(server);
        const active = s === undefined ? undefined : sample(s, 'hotline_active_calls');
        if (active !== undefined) peakActive = Math.max(peakActive ?? 0, active);
        await Promise.race([sleep(1000), sipp.done]);
      }
      const result = summarizeSipp(await sipp.done, started);
      const after = await tryScrape(server);
      const cpuDelta =
        before !== undefined && after !== undefined
          ? (sample(after, 'process_cpu_seconds_total') ?? NaN) - (sample(before, 'process_cpu_seconds_total') ?? NaN)
          : NaN;
      const wall = before !== undefined && after !== undefined ? (after.at - before.at) / 1000 : NaN;
      const pacing = after === undefined ? undefined : sample(after, 'hotline_rtp_send_lateness_seconds{quantile="0.99"}');
      await checkServerAfter(server, calls, findings, plan.recordsBoundS);
      const failure = [sippFailure(result, calls), ...findings.problems].filter((r) => r.length > 0).join('; ');
      return {
        rate,
        calls,
        ok: failure.length === 0,
        reason: failure.length > 0 ? failure : 'ok',
        sipp: result,
        latency: latencyOf(result, before, after),
        cpuPct: (cpuDelta / wall) * 100,
        peakActive,
        pacingP99: pacing,
      };
    },
    (message) => ({ rate, calls, ok: false, reason: message, latency: {} }),
  );
}

async function runLevelStep(plan: Plan, level: number, rampRate: number): Promise<LevelStep> {
  const rampS = level / rampRate;
  // Ramp, up to 4 s to see the plateau, 2 s to settle, the plateau window, 3 s of margin.
  const holdS = Math.min(MAX_HOLD_S, Math.ceil(rampS + 4 + 2 + plan.plateauS + 3));
  const plateauS = Math.max(2, Math.min(plan.plateauS, holdS - rampS - 9));
  return withServer<LevelStep>(
    async (server, findings) => {
      await sleep(1000);
      const idle = await tryScrape(server);
      const before = idle;
      const started = Date.now();
      const sipp = await startSipp({
        scenario: LOAD_SCENARIO,
        target: `127.0.0.1:${server.sipPort}`,
        calls: level,
        rate: rampRate,
        concurrency: level,
        pauseMs: holdS * 1000,
        timeoutS: sippTimeoutS(level, rampRate, holdS * 1000),
        extraArgs: ['-trace_rtt', '-rtt_freq', '1', '-recv_timeout', String(RECV_TIMEOUT_MS)],
      });
      const state = { finished: false };
      void sipp.done.then(() => {
        state.finished = true;
      });
      // Wait for the plateau: every call active (bounded by the ramp + 4 s).
      const reachDeadline = Date.now() + (rampS + 4) * 1000;
      let reached = false;
      while (!state.finished && Date.now() < reachDeadline) {
        const s = await tryScrape(server);
        if (s !== undefined && (sample(s, 'hotline_active_calls') ?? 0) >= level) {
          reached = true;
          break;
        }
        await sleep(250);
      }
      await sleep(2000);
      const p1 = await tryScrape(server);
      const sippCpu1 = processCpuSeconds(sipp.pid);
      const t1 = Date.now();
      await Promise.race([sleep(plateauS * 1000), sipp.done]);
      const p2 = await tryScrape(server);
      const sippCpu2 = processCpuSeconds(sipp.pid);
      const t2 = Date.now();
      const result = summarizeSipp(await sipp.done, started);
      const after = await tryScrape(server);
      if (!reached) findings.problems.push(`hotline_active_calls never reached ${level} within the ramp + 4 s`);
      const activeAtPlateau = p2 === undefined ? undefined : sample(p2, 'hotline_active_calls');
      const rtpAtPlateau = p2 === undefined ? undefined : sample(p2, 'hotline_rtp_sessions');
      if (activeAtPlateau !== level) findings.problems.push(`hotline_active_calls = ${fmt(activeAtPlateau, 0)} at the end of the plateau`);
      if (rtpAtPlateau !== level) findings.problems.push(`hotline_rtp_sessions = ${fmt(rtpAtPlateau, 0)} at the end of the plateau`);
      await checkServerAfter(server, level, findings, plan.recordsBoundS);
      const failure = [sippFailure(result, level), ...findings.problems].filter((r) => r.length > 0).join('; ');
      const cpu = (s: Scrape | undefined): number => (s === undefined ? NaN : (sample(s, 'process_cpu_seconds_total') ?? NaN));
      return {
        level,
        rampRate,
        holdS,
        ok: failure.length === 0,
        reason: failure.length > 0 ? failure : 'ok',
        sipp: result,
        latency: latencyOf(result, before, after),
        activeAtPlateau,
        rtpSessionsAtPlateau: rtpAtPlateau,
        rssIdle: idle === undefined ? undefined : sample(idle, 'process_resident_memory_bytes'),
        rssPlateau: p2 === undefined ? undefined : sample(p2, 'process_resident_memory_bytes'),
        heapIdle: idle === undefined ? undefined : sample(idle, 'nodejs_heap_size_used_bytes'),
        heapPlateau: p2 === undefined ? undefined : sample(p2, 'nodejs_heap_size_used_bytes'),
        cpuPct: p1 !== undefined && p2 !== undefined ? ((cpu(p2) - cpu(p1)) / ((p2.at - p1.at) / 1000)) * 100 : undefined,
        sippCpuPct: sippCpu1 !== undefined && sippCpu2 !== undefined ? ((sippCpu2 - sippCpu1) / ((t2 - t1) / 1000)) * 100 : undefined,
        pacingP50: p2 === undefined ? undefined : sample(p2, 'hotline_rtp_send_lateness_seconds{quantile="0.5"}'),
        pacingP99: p2 === undefined ? undefined : sample(p2, 'hotline_rtp_send_lateness_seconds{quantile="0.99"}'),
        pacingMax: p2 === undefined ? undefined : sample(p2, 'hotline_rtp_send_lateness_seconds{quantile="1"}'),
      };
    },
    (message) => ({ level, rampRate, holdS, ok: false, reason: message, latency: {} }),
  );
}

/** Smallest gap between distinct response times sipp reported: the granularity of its clock. */
function clockStep(values: readonly number[]): number | undefined {
  const distinct = [...new Set(values)].sort((a, b) => a - b);
  let step: number | undefined;
  for (let i = 1; i < distinct.length; i++) {
    const gap = (distinct[i] ?? 0) - (distinct[i - 1] ?? 0);
    if (gap > 0) step = Math.min(step ?? gap, gap);
  }
  return step;
}

function lagCell(server: ServerFindings): string {
  return server.recordsLagS === undefined ? 'not within bound' : `${fmt(server.recordsLagS, 1)} s`;
}

function msCell(value: number | undefined): string {
  return value === undefined ? 'n/a' : `${fmt(value, 0)} ms`;
}

function bucketCell(estimate: number | undefined, upper: number | undefined): string {
  if (estimate === undefined) return 'n/a';
  const bound = upper === undefined ? '' : Number.isFinite(upper) ? ` (≤${fmt(upper * 1000, 0)})` : ' (>2 s)';
  return `${ms(estimate, 1)}${bound}`;
}

function machine(load0: number): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', 'src'], { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
    if (dirty.length > 0) commit += ' + uncommitted changes in src/';
  } catch {
    // not a git checkout
  }
  return `${os.cpus().length} cores (${cpu}), ${mib(os.totalmem())} RAM, ${os.type()} ${os.release()}, Node ${process.version}, ${sippVersion()}, commit ${commit}; load average ${fmt(load0, 1)} at start, ${fmt(os.loadavg()[0], 1)} at end`;
}

function serverSection(steps: readonly { label: string; server: ServerFindings }[]): string {
  const lines: string[] = [];
  for (const step of steps) {
    const { logLines } = step.server;
    const problems = [...step.server.problems, ...step.server.notes];
    if (problems.length === 0 && logLines.length === 0) continue;
    lines.push(`- **${step.label}**: ${problems.length > 0 ? problems.map((p) => p.split('\n')[0] ?? '').join('; ') : 'no problem seen'}` +
      (logLines.length > 0 ? `; ${logLines.length} warn/error log lines, last ones:` : ''));
    if (logLines.length > 0) lines.push('', '  ```', ...logLines.slice(-8).map((l) => `  ${l.slice(0, 300)}`), '  ```');
  }
  return lines.length === 0 ? 'No server warnings or errors, no leaked calls, every call record ended with `hangup/caller`.' : lines.join('\n');
}

function latencyCell(l: LatencyStats | undefined): string {
  return l === undefined ? 'n/a' : `${msCell(l.p50)} / ${msCell(l.p99)} (max ${msCell(l.max)}, ${l.count}/${l.expected})`;
}

function acdSection(acd: AcdPhaseResult | undefined): string[] {
  if (acd === undefined) return [];
  const n = acd.agents;
  return [
    '### ACD: agent ready / caller queued → agent INVITE',
    '',
    `${n} agents (registered with digest from one UDP UAS, desktops on /ws/agent), ${acd.callers} callers from sipp pressing 0 into queue \`bench\`; ${fmt(acd.wallS, 0)} s; ${acd.ok ? 'no failure' : `**failed**: ${acd.reason}`}.`,
    '',
    table(
      ['Measure', 'p50 / p99 (max, samples)', 'Conditions'],
      [
        ['agent `ready` sent → INVITE at the phone', latencyCell(acd.readyToInvite), `${acd.callers} callers waiting, agents ready one every 20 ms`],
        ['agent `end-wrap-up` sent → INVITE', latencyCell(acd.wrapUpToInvite), `${n} callers waiting, ${n} conversations just ended`],
        ["server 'caller queued' log → INVITE", latencyCell(acd.enqueueToInvite), `${n} callers arriving at 25/s, ${n} agents ready and idle`],
      ],
    ),
    '',
    ...(acd.warnLines.length > 0 ? [`${acd.warnLines.length} warn/error server log lines; last: \`${(acd.warnLines.at(-1) ?? '').slice(0, 300)}\``, ''] : []),
  ];
}

function render(plan: Plan, rates: RateStep[], levels: LevelStep[], skipped: string[], elapsedS: number, load0: number, acd?: AcdPhaseResult): string {
  const bestRate = [...rates].reverse().find((r) => r.ok);
  const firstFailedRate = rates.find((r) => !r.ok);
  const bestLevel = [...levels].reverse().find((l) => l.ok);
  const firstFailedLevel = levels.find((l) => !l.ok);
  const latencyStep = bestRate ?? rates[0];
  const load = bestLevel ?? levels[0];
  const perCall = (a: number | undefined, b: number | undefined): number | undefined =>
    load === undefined || a === undefined || b === undefined ? undefined : (b - a) / load.level;

  const summary = table(
    ['Metric', 'Result', 'Conditions'],
    [
      [
        'Sustained calls/s with no failed calls',
        bestRate === undefined ? 'none (first step failed)' : `${bestRate.rate} calls/s`,
        `${plan.rateStepS} s per step, each call held ${plan.rateHoldMs / 1000} s with RTP; steps ${plan.rates.join('/')}` +
          (firstFailedRate === undefined ? '; no step failed' : `; ${firstFailedRate.rate} calls/s failed: ${firstFailedRate.reason}`),
      ],
      [
        'Max concurrent calls held with media, no failure',
        bestLevel === undefined ? 'none (first step failed)' : `${bestLevel.level} (hotline_rtp_sessions = ${fmt(bestLevel.rtpSessionsAtPlateau, 0)})`,
        `steps ${plan.levels.join('/')}, ramp ≤ ${plan.maxRampRate} calls/s, plateau ${plan.plateauS} s` +
          (firstFailedLevel === undefined ? '; no step failed' : `; ${firstFailedLevel.level} failed: ${firstFailedLevel.reason}`),
      ],
      [
        'INVITE→200 p50 / p99, client (sipp rtt)',
        latencyStep === undefined ? 'n/a' : `${msCell(latencyStep.latency.sippP50)} / ${msCell(latencyStep.latency.sippP99)} (max ${msCell(latencyStep.latency.sippMax)})`,
        latencyStep === undefined
          ? ''
          : `at ${latencyStep.rate} calls/s, ${fmt(latencyStep.sipp?.rtt.length, 0)} INVITEs; sipp's clock ticks every ${fmt(clockStep(latencyStep.sipp?.rtt ?? []), 0)} ms here, so values are multiples of it`,
      ],
      [
        'INVITE→200 p50 / p99, server histogram',
        latencyStep === undefined
          ? 'n/a'
          : `${bucketCell(latencyStep.latency.serverP50, undefined)} / ${bucketCell(latencyStep.latency.serverP99, latencyStep.latency.serverP99Bucket)}`,
        latencyStep === undefined ? '' : `at ${latencyStep.rate} calls/s; hotline_answer_latency_seconds, interpolated in buckets`,
      ],
      [
        'RTP send lateness p99 under load',
        load === undefined ? 'n/a' : `${ms(load.pacingP99)} (p50 ${ms(load.pacingP50)}, max ${ms(load.pacingMax)})`,
        load === undefined ? '' : `${load.level} concurrent calls; gauge since the fresh server started`,
      ],
      [
        'Memory per active call',
        load === undefined ? 'n/a' : `RSS ${kib(perCall(load.rssIdle, load.rssPlateau))}, heap ${kib(perCall(load.heapIdle, load.heapPlateau))}`,
        load === undefined ? '' : `${load.level} calls; RSS ${mib(load.rssIdle)} idle → ${mib(load.rssPlateau)}; heap ${mib(load.heapIdle)} → ${mib(load.heapPlateau)}`,
      ],
      [
        'Call records complete after the last call',
        rates.map((r) => `${r.rate}/s: ${lagCell(r.server)}`).join(', '),
        `seconds from sipp's end until GET /api/v1/calls lists one ended record per call (bound ${plan.recordsBoundS} s)`,
      ],
      [
        'CPU at the plateau',
        load === undefined ? 'n/a' : `${fmt(load.cpuPct, 0)} % of one core`,
        load === undefined ? '' : `${load.level} calls (${fmt(((load.cpuPct ?? NaN) / load.level) * 100, 2)} % per 100 calls); sipp itself ${fmt(load.sippCpuPct, 0)} %`,
      ],
    ],
  );

  const rateRows: Cell[][] = rates.map((r) => [
    r.rate,
    r.calls,
    r.ok ? 'yes' : `**no**: ${r.reason}`,
    r.sipp === undefined ? 'n/a' : `${fmt(r.sipp.successful, 0)}/${fmt(r.sipp.failed, 0)}/${fmt(r.sipp.retransmissions, 0)}`,
    fmt(r.peakActive, 0),
    `${msCell(r.latency.sippP50)} / ${msCell(r.latency.sippP99)}`,
    `${bucketCell(r.latency.serverP50, undefined)} / ${bucketCell(r.latency.serverP99, r.latency.serverP99Bucket)}`,
    ms(r.pacingP99),
    `${fmt(r.cpuPct, 0)} %`,
    lagCell(r.server),
  ]);
  const levelRows: Cell[][] = levels.map((l) => [
    l.level,
    `${l.rampRate}/s, hold ${l.holdS} s`,
    l.ok ? 'yes' : `**no**: ${l.reason}`,
    l.sipp === undefined ? 'n/a' : `${fmt(l.sipp.successful, 0)}/${fmt(l.sipp.failed, 0)}/${fmt(l.sipp.retransmissions, 0)}`,
    `${fmt(l.activeAtPlateau, 0)} / ${fmt(l.rtpSessionsAtPlateau, 0)}`,
    `${mib(l.rssIdle)} → ${mib(l.rssPlateau)}`,
    `${mib(l.heapIdle)} → ${mib(l.heapPlateau)}`,
    `${fmt(l.cpuPct, 0)} % (sipp ${fmt(l.sippCpuPct, 0)} %)`,
    `${ms(l.pacingP50)} / ${ms(l.pacingP99)} / ${ms(l.pacingMax)}`,
    `${msCell(l.latency.sippP50)} / ${msCell(l.latency.sippP99)}`,
    lagCell(l.server),
  ]);
  const failures = [...rates, ...levels]
    .filter((s) => s.sipp !== undefined && s.sipp.errors.length > 0 && !s.ok)
    .map((s) => `- ${'rate' in s ? `${s.rate} calls/s` : `${s.level} concurrent`}: \`${(s.sipp?.errors ?? '').split('\n').slice(0, 3).join(' ⏎ ').slice(0, 400)}\``);

  return [
    `## ${plan.mode === 'full' ? 'Full run' : 'Quick run (`--quick`, smoke only)'}`,
    '',
    `${new Date().toISOString()}, ${fmt(elapsedS, 0)} s. Machine: ${machine(load0)}.`,
    '',
    summary,
    '',
    '### Call-rate steps',
    '',
    table(['calls/s', 'calls', 'no failure', 'sipp ok/failed/retrans', 'peak active', 'INVITE→200 p50/p99 (sipp)', 'INVITE→200 p50/p99 (server)', 'RTP lateness p99', 'server CPU', 'records complete after'], rateRows),
    '',
    '### Concurrency steps',
    '',
    table(['calls', 'ramp', 'no failure', 'sipp ok/failed/retrans', 'active / RTP sessions at plateau', 'RSS idle → plateau', 'heap idle → plateau', 'server CPU at plateau', 'RTP lateness p50/p99/max', 'INVITE→200 p50/p99 (sipp)', 'records complete after'], levelRows),
    '',
    ...acdSection(acd),
    ...(skipped.length > 0 ? [`Skipped to stay within the time budget: ${skipped.join(', ')}.`, ''] : []),
    ...(failures.length > 0 ? ['### sipp errors of failed steps', '', ...failures, ''] : []),
    '### Server findings',
    '',
    serverSection([
      ...rates.map((r) => ({ label: `${r.rate} calls/s`, server: r.server })),
      ...levels.map((l) => ({ label: `${l.level} concurrent`, server: l.server })),
    ]),
  ].join('\n');
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const unknown = args.filter((a) => a !== '--quick');
  if (unknown.length > 0) {
    process.stderr.write(`usage: npm run bench [-- --quick]\nunknown argument(s): ${unknown.join(' ')}\n`);
    process.exit(2);
  }
  const plan = args.includes('--quick') ? QUICK : FULL;
  if (sippVersion() === 'sipp not found') {
    process.stderr.write('bench: sipp is not installed (apt-get install -y sip-tester)\n');
    process.exit(1);
  }
  rtpRange.min = await freePortRange(RTP_PORTS);
  const load0 = os.loadavg()[0] ?? NaN;
  const t0 = Date.now();
  const elapsed = (): number => (Date.now() - t0) / 1000;
  const skipped: string[] = [];
  log(`${plan.mode} run: rates ${plan.rates.join(', ')} calls/s × ${plan.rateStepS} s; plateaus ${plan.levels.join(', ')} calls; budget ${plan.budgetS} s`);

  const rates: RateStep[] = [];
  for (const rate of plan.rates) {
    const estimate = plan.rateStepS + plan.rateHoldMs / 1000 + 12;
    // Keep room for at least one concurrency step.
    if (elapsed() + estimate > plan.budgetS * 0.55) {
      skipped.push(`${rate} calls/s`);
      continue;
    }
    log(`rate ${rate} calls/s: ${rate * plan.rateStepS} calls, held ${plan.rateHoldMs} ms`);
    const step = await runRateStep(plan, rate);
    log(`rate ${rate} calls/s: ${step.reason}`);
    rates.push(step);
    if (!step.ok) break;
  }

  const sustained = [...rates].reverse().find((r) => r.ok)?.rate ?? 10;
  const levels: LevelStep[] = [];
  for (const level of plan.levels) {
    const rampRate = Math.max(5, Math.min(plan.maxRampRate, sustained, Math.ceil(level / 5)));
    const estimate = Math.min(MAX_HOLD_S, level / rampRate + plan.plateauS + 9) + level / rampRate + 15;
    if (elapsed() + estimate > plan.budgetS) {
      skipped.push(`${level} concurrent`);
      continue;
    }
    log(`concurrency ${level}: ramp ${rampRate} calls/s`);
    const step = await runLevelStep(plan, level, rampRate);
    log(`concurrency ${level}: ${step.reason}`);
    levels.push(step);
    if (!step.ok) break;
  }

  // ACD phase (bounded: ~25 s for 10 agents, ~60 s for 50); its own server, after the others.
  log(`acd: ${plan.acdAgents} agents, ${plan.acdAgents * 2} callers`);
  const acd = await runAcdPhase({ agents: plan.acdAgents, rtpMin: rtpRange.min, rtpPorts: RTP_PORTS, log });
  log(`acd: ${acd.reason}`);

  const markdown = render(plan, rates, levels, skipped, elapsed(), load0, acd);
  process.stdout.write(`${markdown}\n`);
  writeResults(RESULTS_FILE, plan.mode, markdown);
  log(`wrote ${path.relative(REPO_ROOT, RESULTS_FILE)} (${plan.mode} section) in ${fmt(elapsed(), 0)} s`);
}

process.once('SIGINT', () => {
  // 'exit' handlers of the test support modules SIGKILL the server and sipp.
  process.exit(130);
});
process.once('SIGTERM', () => {
  process.exit(143);
});

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
