/**
 * The set-up ladder of issue 15: short calls (held `plan.holdMs`) offered at increasing rates for
 * `plan.rateStepS` seconds each, by sipp with scripts/bench/uac-setup.xml (503 counted apart as
 * refused). Against this server every step starts a fresh server on SQLite (default IVR: its first
 * prompt is played to every call; one call record per call); against the reference (Kamailio) one
 * process serves the whole ladder. Each step is classified:
 * - clean: 0 failed, 0 refused, sipp's INVITE→200 p99 < 1 s, no call left active on the server,
 *   one call record per answered call within the records bound;
 * - collapse: sipp had to be killed, or ≥ 1 % of the calls failed, or p99 ≥ 5 s, or the server
 *   stopped answering /metrics: the ladder stops here;
 * - degraded: anything between (e.g. some 503s or a late p99): the ladder goes on.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ServerHandle } from '../../test/support/server-process.js';
import { startSipp } from '../../test/support/sipp.js';
import { BenchApi } from './api.js';
import { percentile, processCpuSeconds, processTreeCpuSeconds } from './measure.js';
import type { Plan } from './plan.js';
import type { Scrape } from './prom.js';
import { fmt } from './report.js';
import { log, sleep, type Budget } from './runtime.js';
import { answerLatency, serverDefaults, shedTotal, tryScrape, waitIdle, withServer, type ServerFindings } from './server.js';
import { summarizeSipp, type SippSummary } from './sipp-run.js';

const here = path.dirname(fileURLToPath(import.meta.url));
export const SETUP_SCENARIO = path.join(here, 'uac-setup.xml');
/** Per <recv> timeout given to sipp: a 200 or BYE answer later than this fails the call. */
export const RECV_TIMEOUT_MS = 10_000;
/** Seconds to wait for one call record per answered call after the last call. */
const RECORDS_BOUND_S = 20;
/** Seconds to wait for the server's active calls to drop to 0 after sipp ended. */
const IDLE_BOUND_S = 10;

export type Verdict = 'clean' | 'degraded' | 'collapse';

export interface LadderStep {
  rate: number;
  /** Calls sipp was asked to place. */
  offered: number;
  verdict: Verdict;
  /** Why the step is not clean ('' when it is). */
  reason: string;
  sipp?: SippSummary;
  /** INVITE→200 from sipp (ms). */
  sippP50?: number | undefined;
  sippP99?: number | undefined;
  /** INVITE→200 from the server's histogram (s) and how many answers it counted. */
  serverP50?: number | undefined;
  serverP99?: number | undefined;
  serverCount?: number | undefined;
  /** INVITEs the server counts as shed (hotline_sip_shed_total delta). */
  serverShed?: number | undefined;
  /** CPU of the server process (all threads / all workers) per offered call (ms), and as % of one core. */
  cpuMsPerCall?: number | undefined;
  cpuPct?: number | undefined;
  /** Calls still active on the server IDLE_BOUND_S after sipp ended (undefined: not measurable). */
  hanging?: number | undefined;
  /** Seconds from sipp's end until the server listed one record per answered call (undefined: not within bound). */
  recordsAfterS?: number | undefined;
  recordsTotal?: number | undefined;
  findings?: ServerFindings;
}

export function sippArgsFor(rate: number, plan: Plan): { concurrency: number; timeoutS: number; extraArgs: string[] } {
  return {
    concurrency: Math.min(20_000, Math.ceil(rate * ((plan.holdMs + RECV_TIMEOUT_MS) / 1000) * 1.5)),
    timeoutS: Math.ceil(plan.rateStepS + plan.holdMs / 1000 + RECV_TIMEOUT_MS / 1000 + 15),
    extraArgs: ['-trace_rtt', '-rtt_freq', '1', '-recv_timeout', String(RECV_TIMEOUT_MS), '-buff_size', '8388608'],
  };
}

/** Seconds one ladder step takes at most against this server (start, calls, waits, stop). */
export function serverStepEstimateS(plan: Plan): number {
  return 8 + plan.rateStepS + plan.holdMs / 1000 + IDLE_BOUND_S + 5;
}

function classify(step: LadderStep): LadderStep {
  const s = step.sipp;
  const collapse: string[] = [];
  const dirty: string[] = [];
  if (s === undefined) collapse.push('sipp gave no result');
  else {
    if (s.timedOut) collapse.push('sipp killed after its time limit');
    if (!Number.isFinite(s.created)) collapse.push('sipp wrote no statistics');
    if (s.failed > 0) (s.failed >= s.created * 0.01 ? collapse : dirty).push(`${fmt(s.failed, 0)} failed`);
    if (s.refused > 0) dirty.push(`${fmt(s.refused, 0)} refused with 503`);
    if (s.created < step.offered) dirty.push(`${fmt(s.created, 0)}/${step.offered} calls placed`);
  }
  if (step.sippP99 !== undefined && step.sippP99 >= 5000) collapse.push(`p99 ${fmt(step.sippP99 / 1000, 1)} s`);
  else if (step.sippP99 !== undefined && step.sippP99 >= 1000) dirty.push(`p99 ${fmt(step.sippP99 / 1000, 1)} s`);
  if (step.findings !== undefined) {
    if (step.hanging === undefined) collapse.push('server did not answer /metrics after the step');
    else if (step.hanging > 0) dirty.push(`${step.hanging} calls left active`);
    if (step.recordsAfterS === undefined) dirty.push(`call records incomplete (${fmt(step.recordsTotal, 0)}/${fmt(s?.answered, 0)})`);
    if (step.findings.exitCode !== 0) dirty.push(`server exit ${String(step.findings.exitCode)}`);
  }
  const verdict: Verdict = collapse.length > 0 ? 'collapse' : dirty.length > 0 ? 'degraded' : 'clean';
  return { ...step, verdict, reason: [...collapse, ...dirty].join(', ') };
}

async function recordsComplete(server: ServerHandle, answered: number, sippEnded: number): Promise<{ afterS?: number; total?: number }> {
  const api = new BenchApi(server.baseUrl);
  const deadline = sippEnded + RECORDS_BOUND_S * 1000;
  let total: number | undefined;
  while (Date.now() < deadline) {
    try {
      total = await api.callTotal(Math.max(1000, deadline - Date.now()));
      if (total >= answered) return { afterS: (Date.now() - sippEnded) / 1000, total };
    } catch {
      // busy; try again until the bound
    }
    await sleep(500);
  }
  return { total };
}

/** One ladder step against a fresh server (rate limit off, lag admission at the server's default). */
export async function runServerStep(plan: Plan, rate: number): Promise<LadderStep> {
  const offered = rate * plan.rateStepS;
  const env = { SIP_MAX_CALLS_PER_S: '0', SIP_OVERLOAD_LAG_MS: String(serverDefaults().overloadLagMs) };
  const { result, findings } = await withServer<LadderStep>(
    env,
    async (server) => {
      await sleep(500);
      const before: Scrape | undefined = await tryScrape(server);
      const cpu0 = processCpuSeconds(server.pid);
      const t0 = Date.now();
      const sipp = await startSipp({
        scenario: SETUP_SCENARIO,
        target: `127.0.0.1:${server.sipPort}`,
        calls: offered,
        rate,
        pauseMs: plan.holdMs,
        ...sippArgsFor(rate, plan),
      });
      const summary = summarizeSipp(await sipp.done, t0);
      const cpu1 = processCpuSeconds(server.pid);
      const wallS = (Date.now() - t0) / 1000;
      const sippEnded = Date.now();
      const hanging = await waitIdle(server, IDLE_BOUND_S * 1000);
      const after = await tryScrape(server);
      const records = await recordsComplete(server, summary.answered, sippEnded);
      const latency = answerLatency(before, after);
      const cpuS = cpu0 !== undefined && cpu1 !== undefined ? cpu1 - cpu0 : undefined;
      const shedBefore = shedTotal(before);
      const shedAfter = shedTotal(after);
      return {
        rate,
        offered,
        verdict: 'clean',
        reason: '',
        sipp: summary,
        sippP50: percentile(summary.rtt, 50),
        sippP99: percentile(summary.rtt, 99),
        serverP50: latency.p50,
        serverP99: latency.p99,
        serverCount: latency.count,
        serverShed: shedBefore !== undefined && shedAfter !== undefined ? shedAfter - shedBefore : undefined,
        cpuMsPerCall: cpuS === undefined ? undefined : (cpuS * 1000) / Math.max(1, summary.created),
        cpuPct: cpuS === undefined ? undefined : (cpuS / wallS) * 100,
        hanging,
        recordsAfterS: records.afterS,
        recordsTotal: records.total,
      };
    },
    (message) => ({ rate, offered, verdict: 'collapse', reason: message }),
  );
  return classify({ ...result, findings });
}

/** One ladder step against a reference server already running at `target` (process `pid`). */
export async function runReferenceStep(plan: Plan, rate: number, target: string, pid: number | undefined): Promise<LadderStep> {
  const offered = rate * plan.rateStepS;
  const cpu0 = processTreeCpuSeconds(pid);
  const t0 = Date.now();
  const sipp = await startSipp({ scenario: SETUP_SCENARIO, target, calls: offered, rate, pauseMs: plan.holdMs, ...sippArgsFor(rate, plan) });
  const summary = summarizeSipp(await sipp.done, t0);
  const cpu1 = processTreeCpuSeconds(pid);
  const wallS = (Date.now() - t0) / 1000;
  const cpuS = cpu0 !== undefined && cpu1 !== undefined ? cpu1 - cpu0 : undefined;
  return classify({
    rate,
    offered,
    verdict: 'clean',
    reason: '',
    sipp: summary,
    sippP50: percentile(summary.rtt, 50),
    sippP99: percentile(summary.rtt, 99),
    cpuMsPerCall: cpuS === undefined ? undefined : (cpuS * 1000) / Math.max(1, summary.created),
    cpuPct: cpuS === undefined ? undefined : (cpuS / wallS) * 100,
  });
}

/** Runs `step` for each rate within the budget, stopping after the first collapse. */
export async function runLadder(
  label: string,
  rates: readonly number[],
  estimateS: number,
  budget: Budget,
  skipped: string[],
  step: (rate: number) => Promise<LadderStep>,
): Promise<LadderStep[]> {
  const steps: LadderStep[] = [];
  for (const rate of rates) {
    if (!budget.fits(estimateS)) {
      skipped.push(`${label} ${rate} calls/s`);
      continue;
    }
    log(`${label}: ${rate} calls/s`);
    const s = await step(rate);
    log(`${label}: ${rate} calls/s → ${s.verdict}${s.reason.length > 0 ? ` (${s.reason})` : ''}`);
    steps.push(s);
    if (s.verdict === 'collapse') break;
  }
  return steps;
}

/** The clean ceiling: the highest step that was clean with every lower step clean too (undefined: the first was not). */
export function cleanCeiling(steps: readonly LadderStep[]): LadderStep | undefined {
  let ceiling: LadderStep | undefined;
  for (const s of steps) {
    if (s.verdict !== 'clean') break;
    ceiling = s;
  }
  return ceiling;
}
