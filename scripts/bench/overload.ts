/**
 * The overload step: a fresh server with its default admission control (rate limit and event-loop
 * lag threshold as configured by default) is offered about twice its clean ceiling for
 * `plan.overloadS` seconds, then the load stops. Measured from outside:
 * - sipp: calls answered / refused with 503 / failed, retransmissions per call, INVITE→200 p99 of
 *   the admitted calls;
 * - GET /healthz every 100 ms during the load (each probe on its own, 2 s timeout): p50/p99/max and
 *   how many took more than 100 ms or got no answer;
 * - recovery after the load: seconds until a normal call (scripts/bench/uac-load.xml, one call, where a
 *   503 is a failure) succeeds, and until the server's shed counter stops growing.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ServerHandle } from '../../test/support/server-process.js';
import { runSipp, startSipp } from '../../test/support/sipp.js';
import { percentile, processCpuSeconds } from './measure.js';
import type { Plan } from './plan.js';
import { sample, type Scrape } from './prom.js';
import { sleep } from './runtime.js';
import { serverDefaults, shedTotal, tryScrape, waitIdle, withServer, type ServerFindings } from './server.js';
import { SETUP_SCENARIO, sippArgsFor } from './setup-ladder.js';
import { liveCreated, summarizeSipp, type SippSummary } from './sipp-run.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const PROBE_SCENARIO = path.join(here, 'uac-load.xml');
const HEALTH_EVERY_MS = 100;
const HEALTH_TIMEOUT_MS = 2000;

export interface HealthStats {
  probes: number;
  /** Probes answered 200 (the others timed out, failed or answered another status). */
  answered: number;
  p50?: number | undefined;
  p99?: number | undefined;
  max?: number | undefined;
  over100ms: number;
}

export interface OverloadResult {
  rate: number;
  /** How the rate was chosen, e.g. "2× the clean ceiling (400 calls/s)". */
  basis: string;
  seconds: number;
  ok: boolean;
  reason: string;
  admission: { maxCallsPerS: number; overloadLagMs: number };
  sipp?: SippSummary;
  /** Admitted calls' INVITE→200 p50/p99 (ms, sipp). */
  sippP50?: number | undefined;
  sippP99?: number | undefined;
  /** hotline_sip_shed_total delta by reason. */
  shedByReason?: Record<string, number>;
  health?: HealthStats;
  /** Seconds from the end of the load until a normal call succeeded (undefined: not within the bound). */
  recoveryCallS?: number | undefined;
  /** Seconds from the end of the load until the shed counter last grew (0: it did not grow after). */
  shedStopS?: number | undefined;
  hanging?: number | undefined;
  cpuPct?: number | undefined;
  findings?: ServerFindings;
}

function shedByReason(before: Scrape | undefined, after: Scrape | undefined): Record<string, number> | undefined {
  if (after === undefined) return undefined;
  const out: Record<string, number> = {};
  for (const reason of ['rate', 'lag', 'concurrency']) {
    const key = `hotline_sip_shed_total{reason="${reason}"}`;
    out[reason] = (sample(after, key) ?? 0) - (before === undefined ? 0 : (sample(before, key) ?? 0));
  }
  return out;
}

/** Probes GET /healthz every 100 ms until stopped; each probe runs on its own (a slow one does not delay the next). */
function healthProber(baseUrl: string): { stop(): Promise<HealthStats> } {
  const times: number[] = [];
  let probes = 0;
  const inFlight = new Set<Promise<void>>();
  const timer = setInterval(() => {
    probes++;
    const t0 = performance.now();
    const p = fetch(`${baseUrl}/healthz`, { signal: AbortSignal.timeout(HEALTH_TIMEOUT_MS) })
      .then(async (res) => {
        await res.arrayBuffer();
        if (res.status === 200) times.push(performance.now() - t0);
      })
      .catch(() => undefined)
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
  }, HEALTH_EVERY_MS);
  return {
    stop: async () => {
      clearInterval(timer);
      await Promise.all([...inFlight]);
      return {
        probes,
        answered: times.length,
        p50: percentile(times, 50),
        p99: percentile(times, 99),
        max: percentile(times, 100),
        over100ms: times.filter((t) => t > 100).length + (probes - times.length),
      };
    },
  };
}

/** After the load: one normal call at a time until one succeeds; seconds from `loadEnd` to its start. */
async function recoveryCall(server: ServerHandle, loadEnd: number, boundS: number): Promise<number | undefined> {
  const deadline = loadEnd + boundS * 1000;
  while (Date.now() < deadline) {
    const startedAt = Date.now();
    const r = await runSipp({ scenario: PROBE_SCENARIO, target: `127.0.0.1:${server.sipPort}`, calls: 1, pauseMs: 100, timeoutS: 3 });
    if (r.exitCode === 0) return Math.max(0, (startedAt - loadEnd) / 1000);
    await sleep(200);
  }
  return undefined;
}

/** Polls the shed counter every 250 ms until it has not grown for 3 s (or the bound); seconds from `loadEnd` to its last growth. */
async function shedStop(server: ServerHandle, loadEnd: number, boundS: number): Promise<number | undefined> {
  const deadline = loadEnd + boundS * 1000;
  let last = shedTotal(await tryScrape(server, 2000));
  let lastGrowth = loadEnd;
  while (Date.now() < deadline) {
    await sleep(250);
    const now = shedTotal(await tryScrape(server, 2000));
    if (now !== undefined && last !== undefined && now > last) lastGrowth = Date.now();
    if (now !== undefined) last = now;
    if (Date.now() - lastGrowth >= 3000 && last !== undefined) return (lastGrowth - loadEnd) / 1000;
  }
  return undefined;
}

export async function runOverload(plan: Plan, rate: number, basis: string): Promise<OverloadResult> {
  const admission = serverDefaults();
  const calls = rate * plan.overloadS;
  const base = { rate, basis, seconds: plan.overloadS, admission };
  const { result, findings } = await withServer<OverloadResult>(
    // The harness turns the lag admission off for tests; the benchmark wants the server's default.
    { SIP_OVERLOAD_LAG_MS: String(admission.overloadLagMs) },
    async (server) => {
      await sleep(500);
      const before = await tryScrape(server);
      const cpu0 = processCpuSeconds(server.pid);
      const health = healthProber(server.baseUrl);
      const t0 = Date.now();
      const sipp = await startSipp({
        scenario: SETUP_SCENARIO,
        target: `127.0.0.1:${server.sipPort}`,
        calls,
        rate,
        pauseMs: plan.holdMs,
        ...sippArgsFor(rate, plan),
      });
      // The load ends when sipp has created its last call (its CSV is rewritten every second), or at the nominal end.
      const state = { finished: false };
      void sipp.done.then(() => { state.finished = true; });
      let loadEnd: number | undefined;
      while (!state.finished && loadEnd === undefined) {
        await sleep(250);
        if ((liveCreated(sipp.dir) ?? 0) >= calls) loadEnd = Date.now();
        else if (Date.now() > t0 + (plan.overloadS + 10) * 1000) loadEnd = Date.now();
      }
      loadEnd ??= Date.now();
      const healthStats = await health.stop();
      const cpu1 = processCpuSeconds(server.pid);
      const [recoveryCallS, shedStopS] = await Promise.all([
        recoveryCall(server, loadEnd, plan.recoveryBoundS),
        shedStop(server, loadEnd, plan.recoveryBoundS),
      ]);
      const summary = summarizeSipp(await sipp.done, t0);
      const hanging = await waitIdle(server, 10_000);
      const after = await tryScrape(server);
      const problems: string[] = [];
      if (summary.timedOut) problems.push('sipp killed after its time limit');
      if (summary.failed > 0) problems.push(`${summary.failed} admitted calls failed`);
      if (healthStats.over100ms > 0) problems.push(`${healthStats.over100ms}/${healthStats.probes} /healthz probes slower than 100 ms or unanswered`);
      if (recoveryCallS === undefined) problems.push(`no normal call succeeded within ${plan.recoveryBoundS} s of the load's end`);
      if (hanging !== 0) problems.push(`${String(hanging)} calls left active`);
      return {
        ...base,
        ok: problems.length === 0,
        reason: problems.join(', '),
        sipp: summary,
        sippP50: percentile(summary.rtt, 50),
        sippP99: percentile(summary.rtt, 99),
        shedByReason: shedByReason(before, after),
        health: healthStats,
        recoveryCallS,
        shedStopS,
        hanging,
        cpuPct: cpu0 !== undefined && cpu1 !== undefined ? ((cpu1 - cpu0) / ((loadEnd - t0) / 1000)) * 100 : undefined,
      };
    },
    (message) => ({ ...base, ok: false, reason: message }),
  );
  return { ...result, findings };
}
