/**
 * The media step of issue 15: N concurrent IVR calls whose callers stream RTP the whole time (sipp
 * rtp_stream of raw A-law audio written for the step, looped), the server playing its prompts and then
 * comfort silence back (scripts/bench/media-flow.yaml: welcome, menu, up to 120 s of waiting). Once
 * all N calls are up, for `plan.captureS` seconds:
 * - from outside: tcpdump captures the server's RTP to sipp (rtp-capture.ts): packets per stream
 *   against 50/s, inter-arrival p50/p99/max and its deviation from 20 ms (jitter);
 * - from the server: hotline_rtp_send_lateness_seconds (since start), the event-loop delay p99/max
 *   of the window (prom-client's nodejs_eventloop_lag_*, reset by every scrape), RSS per call
 *   (/proc, over the idle server), CPU (/proc, every thread), and sipp's CPU beside it.
 * Afterwards: calls left active, and the call records' end reasons (every call should end by the
 * caller's BYE; "no-ack" means the server did not read an ACK in time).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../test/support/ports.js';
import { startSipp } from '../../test/support/sipp.js';
import { BenchApi } from './api.js';
import { processCpuSeconds, rssBytes } from './measure.js';
import { writeAlawAudio } from './pcap.js';
import type { Plan } from './plan.js';
import { sample, type Scrape } from './prom.js';
import { fmt } from './report.js';
import { RtpCapture, type CaptureStats } from './rtp-capture.js';
import { makeTempDir, removeTempDir, sleep } from './runtime.js';
import { RTP_PORTS, serverDefaults, serverSettings, tryScrape, waitIdle, withServer, type ServerFindings } from './server.js';
import { RECV_TIMEOUT_MS } from './setup-ladder.js';
import { liveCreated, summarizeSipp, type SippSummary } from './sipp-run.js';
import { ensureTool } from './tools.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const MEDIA_SCENARIO = path.join(here, 'uac-media.xml');
const MEDIA_FLOW = path.join(here, 'media-flow.yaml');
/** Calls per sipp RTP sender thread (-rtp_threadtasks): 2,000 calls in 10 threads. */
const RTP_CALLS_PER_SIPP_THREAD = 200;
/** Seconds after the last call is up before the window starts (prompts start, buffers settle). */
const SETTLE_S = 2;

export interface MediaStep {
  level: number;
  rampRate: number;
  holdS: number;
  ok: boolean;
  reason: string;
  /** Too broken to go on to a higher level: < 90 % of the calls up, ≥ 1 % failed, or /metrics unanswered. */
  collapse: boolean;
  /** hotline_active_calls had reached the level when the window started. */
  reached: boolean;
  activeAtWindow?: number | undefined;
  rtpSessionsAtWindow?: number | undefined;
  capture?: CaptureStats;
  captureError?: string;
  /** hotline_rtp_send_lateness_seconds at the window's end (since the server started; seconds). */
  latenessP50?: number | undefined;
  latenessP99?: number | undefined;
  latenessMax?: number | undefined;
  /** Main event-loop delay over the window (s): prom-client p99 and max, and admission's last sample. */
  loopLagP99?: number | undefined;
  loopLagMax?: number | undefined;
  rssIdle?: number | undefined;
  rssWindow?: number | undefined;
  cpuPct?: number | undefined;
  sippCpuPct?: number | undefined;
  /** Media-worker series the server exports, if any (name → value), to show what it used. */
  workerSeries: Record<string, number>;
  sipp?: SippSummary;
  hanging?: number | undefined;
  /** Call records by end reason/hung up by, e.g. "hangup/caller" → N. */
  endReasons?: Record<string, number>;
  findings?: ServerFindings;
}

/** Seconds a level takes at most: ramp, hold, teardown, server start/stop. */
export function mediaStepEstimateS(plan: Plan, level: number): number {
  const rampS = level / plan.mediaRampRate;
  return rampS + holdSeconds(plan, level) + 30;
}

function holdSeconds(plan: Plan, level: number): number {
  return Math.ceil(level / plan.mediaRampRate + 3 + SETTLE_S + plan.captureS + 3);
}

/** A media port for sipp outside the server's RTP range (and its +2, which sipp binds for video). */
async function sippMediaPort(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const port = await freePort('udp');
    const lo = serverSettings.rtpMin - 4;
    const hi = serverSettings.rtpMin + RTP_PORTS + 4;
    if (port % 2 === 0 && (port < lo || port > hi)) return port;
  }
  throw new Error('no free even UDP port for sipp media outside the RTP range');
}

function workerSeries(s: Scrape | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  if (s === undefined) return out;
  for (const [key, value] of s.samples) if (/media_worker/.test(key)) out[key] = value;
  return out;
}

export async function runMediaStep(plan: Plan, level: number): Promise<MediaStep> {
  const rampRate = Math.min(plan.mediaRampRate, level);
  const holdS = holdSeconds(plan, level);
  const base = { level, rampRate, holdS, reached: false, collapse: true, workerSeries: {} };
  if (!ensureTool('tcpdump', 'tcpdump')) return { ...base, ok: false, reason: 'tcpdump is not installed and apt-get could not install it' };
  const dir = makeTempDir('bench-media-');
  const audio = path.join(dir, 'caller.alaw');
  writeAlawAudio(audio, 10);
  const scenario = path.join(dir, 'uac-media.xml');
  writeFileSync(scenario, readFileSync(MEDIA_SCENARIO, 'utf8').replace('rtp_stream="BENCH_AUDIO,', `rtp_stream="${audio},`));
  const env = { IVR_FLOW: MEDIA_FLOW, SIP_MAX_CALLS_PER_S: '0', SIP_OVERLOAD_LAG_MS: String(serverDefaults().overloadLagMs) };
  try {
    const { result, findings } = await withServer<MediaStep>(
      env,
      async (server) => {
        await sleep(1000);
        const rssIdle = rssBytes(server.pid);
        const mediaPort = await sippMediaPort();
        const t0 = Date.now();
        const sipp = await startSipp({
          scenario,
          target: `127.0.0.1:${server.sipPort}`,
          calls: level,
          rate: rampRate,
          concurrency: level,
          pauseMs: holdS * 1000,
          mediaPort,
          timeoutS: Math.ceil(level / rampRate + holdS + RECV_TIMEOUT_MS / 1000 + 20),
          extraArgs: ['-recv_timeout', String(RECV_TIMEOUT_MS), '-buff_size', '8388608', '-rtp_threadtasks', String(RTP_CALLS_PER_SIPP_THREAD), '-rtp_buffsize', '4194304'],
        });
        const state = { finished: false };
        void sipp.done.then(() => { state.finished = true; });
        // The window starts SETTLE_S after sipp has placed its last call (its CSV is rewritten every
        // second), whether or not every call is up: the calls are held only so long.
        const placedBy = Date.now() + (level / rampRate + 10) * 1000;
        while (!state.finished && Date.now() < placedBy && (liveCreated(sipp.dir) ?? 0) < level) await sleep(250);
        await sleep(SETTLE_S * 1000);
        const p1 = await tryScrape(server); // also resets prom-client's event-loop histogram
        const reached = p1 !== undefined && (sample(p1, 'hotline_active_calls') ?? 0) >= level;
        const cpu1 = processCpuSeconds(server.pid);
        const sippCpu1 = processCpuSeconds(sipp.pid);
        const t1 = Date.now();
        let capture: CaptureStats | undefined;
        let captureError: string | undefined;
        try {
          const cap = await RtpCapture.start(server.rtpMin, server.rtpMax, mediaPort);
          await sleep(plan.captureS * 1000);
          capture = await cap.stop();
        } catch (err) {
          captureError = (err as Error).message;
        }
        const p2 = await tryScrape(server, 10_000);
        const cpu2 = processCpuSeconds(server.pid);
        const sippCpu2 = processCpuSeconds(sipp.pid);
        const t2 = Date.now();
        const rssWindow = rssBytes(server.pid);
        const summary = summarizeSipp(await sipp.done, t0);
        const hanging = await waitIdle(server, 10_000);
        let endReasons: Record<string, number> | undefined;
        try {
          endReasons = {};
          for (const c of await new BenchApi(server.baseUrl).allCalls(10_000, Math.ceil(level / 500) + 2)) {
            const key = `${c.endReason ?? 'not ended'}/${c.hungUpBy ?? '-'}`;
            endReasons[key] = (endReasons[key] ?? 0) + 1;
          }
        } catch {
          endReasons = undefined;
        }
        const perS = (a: number | undefined, b: number | undefined): number | undefined =>
          a === undefined || b === undefined ? undefined : ((b - a) / ((t2 - t1) / 1000)) * 100;
        const problems: string[] = [];
        if (!reached) problems.push(`hotline_active_calls ${fmt(p1 === undefined ? undefined : sample(p1, 'hotline_active_calls'), 0)} of ${level} when the window started`);
        if (summary.failed > 0) problems.push(`${summary.failed} calls failed`);
        if (summary.refused > 0) problems.push(`${summary.refused} refused with 503`);
        if (captureError !== undefined) problems.push(`capture: ${captureError}`);
        if (capture !== undefined && capture.streamsShort > 0) problems.push(`${capture.streamsShort} streams below 95 % of their packets`);
        if (hanging !== 0) problems.push(`${String(hanging)} calls left active`);
        const odd = Object.entries(endReasons ?? {}).filter(([k]) => k !== 'hangup/caller');
        if (odd.length > 0) problems.push(`records not ended by the caller: ${odd.map(([k, n]) => `${k} ×${n}`).join(', ')}`);
        const activeAtStart = p1 === undefined ? 0 : (sample(p1, 'hotline_active_calls') ?? 0);
        return {
          ...base,
          ok: problems.length === 0,
          reason: problems.join(', '),
          collapse: p2 === undefined || activeAtStart < level * 0.9 || summary.failed >= level * 0.01 || summary.timedOut,
          reached,
          activeAtWindow: p2 === undefined ? undefined : sample(p2, 'hotline_active_calls'),
          rtpSessionsAtWindow: p2 === undefined ? undefined : sample(p2, 'hotline_rtp_sessions'),
          capture,
          ...(captureError === undefined ? {} : { captureError }),
          latenessP50: p2 === undefined ? undefined : sample(p2, 'hotline_rtp_send_lateness_seconds{quantile="0.5"}'),
          latenessP99: p2 === undefined ? undefined : sample(p2, 'hotline_rtp_send_lateness_seconds{quantile="0.99"}'),
          latenessMax: p2 === undefined ? undefined : sample(p2, 'hotline_rtp_send_lateness_seconds{quantile="1"}'),
          loopLagP99: p2 === undefined || p1 === undefined ? undefined : sample(p2, 'nodejs_eventloop_lag_p99_seconds'),
          loopLagMax: p2 === undefined || p1 === undefined ? undefined : sample(p2, 'nodejs_eventloop_lag_max_seconds'),
          rssIdle,
          rssWindow,
          cpuPct: perS(cpu1, cpu2),
          sippCpuPct: perS(sippCpu1, sippCpu2),
          workerSeries: workerSeries(p2),
          sipp: summary,
          hanging,
          ...(endReasons === undefined ? {} : { endReasons }),
        };
      },
      (message) => ({ ...base, ok: false, reason: message }),
    );
    return { ...result, findings };
  } finally {
    removeTempDir(dir);
  }
}
