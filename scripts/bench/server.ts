/**
 * The server under test, one fresh process per step: started on SQLite with the benchmark's admin,
 * one RTP port range for the whole run, MEDIA_WORKERS as given on the command line; stopped with
 * SIGTERM afterwards, its warnings/errors and exit code kept as findings of the step.
 */
import { rmSync } from 'node:fs';
import os from 'node:os';
import { loadConfig } from '../../src/config/config.js';
import { freePortRange } from '../../test/support/ports.js';
import { startServer, type ServerHandle } from '../../test/support/server-process.js';
import { BENCH_ADMIN } from './api.js';
import { histogramQuantile, sample, scrape, type Scrape } from './prom.js';
import { sleep } from './runtime.js';

/** RTP ports per server: 4400, so 2200 media sessions at most (media steps go up to 2000). */
export const RTP_PORTS = 4400;

/** What a step found wrong on the server side (besides sipp's failed calls). */
export interface ServerFindings {
  /** Non-empty lines the server wrote at LOG_LEVEL=warn (warnings and errors). */
  logLines: string[];
  /** Exit code of the server on SIGTERM after the step (expected 0). */
  exitCode: number | null | undefined;
  /** Problems reported with the step (leaked calls, missing records, slow shutdown). */
  notes: string[];
}

/** Settings shared by every server of one run. */
export const serverSettings = {
  rtpMin: 0,
  mediaWorkers: 'auto',
  /** --server-env: applied last, over every step's own settings. */
  extraEnv: {} as Record<string, string>,
};

/**
 * Admission settings as a server of this run gets them unless a step sets its own: the server's
 * defaults (src/config/config.ts) under the --server-env overrides. Throws the server's own config
 * error for a bad override.
 */
export function serverDefaults(): { maxCallsPerS: number; overloadLagMs: number } {
  const c = loadConfig({ ...serverSettings.extraEnv }, '/nonexistent/.env');
  return { maxCallsPerS: c.SIP_MAX_CALLS_PER_S, overloadLagMs: c.SIP_OVERLOAD_LAG_MS };
}

export async function tryScrape(server: ServerHandle, timeoutMs = 5000): Promise<Scrape | undefined> {
  try {
    return await scrape(server.baseUrl, timeoutMs);
  } catch {
    return undefined;
  }
}

/** Polls until hotline_active_calls is 0 or `timeoutMs` passed; returns the last value seen (undefined: no answer). */
export async function waitIdle(server: ServerHandle, timeoutMs: number): Promise<number | undefined> {
  const deadline = Date.now() + timeoutMs;
  let active: number | undefined;
  for (;;) {
    const s = await tryScrape(server, 2000);
    active = s === undefined ? active : sample(s, 'hotline_active_calls');
    if (active === 0 || Date.now() > deadline) return active;
    await sleep(250);
  }
}

/** p50 / p99 of hotline_answer_latency_seconds between two scrapes (seconds), and how many it counted. */
export function answerLatency(before: Scrape | undefined, after: Scrape | undefined): { p50?: number; p99?: number; count?: number } {
  if (after === undefined) return {};
  const name = 'hotline_answer_latency_seconds';
  const p50 = histogramQuantile(before, after, name, 0.5);
  const p99 = histogramQuantile(before, after, name, 0.99);
  return { p50: p50?.estimate, p99: p99?.estimate, count: p50?.count };
}

/** Sum of hotline_sip_shed_total over every reason. */
export function shedTotal(s: Scrape | undefined): number | undefined {
  if (s === undefined) return undefined;
  let total: number | undefined;
  for (const [key, value] of s.samples) {
    if (key.startsWith('hotline_sip_shed_total{')) total = (total ?? 0) + value;
  }
  return total;
}

/** Deletes the temporary SQLite file of a stopped server (best effort). */
function removeSqlite(databaseUrl: string): void {
  if (!databaseUrl.startsWith('sqlite:')) return;
  const file = databaseUrl.slice('sqlite:'.length);
  if (!file.startsWith(os.tmpdir())) return;
  for (const f of [file, `${file}-journal`, `${file}-wal`, `${file}-shm`]) rmSync(f, { force: true });
}

/**
 * Runs `body` against a fresh server started with `env` on top of the benchmark's settings, then
 * stops it and collects its warn/error lines. A server that does not start gives `onStartFailure`.
 */
export async function withServer<T>(
  env: Record<string, string>,
  body: (server: ServerHandle, findings: ServerFindings) => Promise<T>,
  onStartFailure: (message: string, findings: ServerFindings) => T,
): Promise<{ result: T; findings: ServerFindings }> {
  const findings: ServerFindings = { logLines: [], exitCode: undefined, notes: [] };
  const start = (): Promise<ServerHandle> =>
    startServer(
      {
        LOG_LEVEL: 'warn',
        ADMIN_USER: BENCH_ADMIN.username,
        ADMIN_PASSWORD: BENCH_ADMIN.password,
        RTP_PORT_MIN: String(serverSettings.rtpMin),
        RTP_PORT_MAX: String(serverSettings.rtpMin + RTP_PORTS - 1),
        MEDIA_WORKERS: serverSettings.mediaWorkers,
        ...env,
        ...serverSettings.extraEnv,
      },
      { rtpPorts: RTP_PORTS },
    );
  let server: ServerHandle;
  try {
    try {
      server = await start();
    } catch (first) {
      // On a shared machine another process may have taken a port of the run's RTP range (or the SIP
      // or HTTP port) since it was picked: one more try on fresh ports, noted with the step.
      findings.notes.push(`first start failed (${(first as Error).message.split('\n')[0] ?? ''}), started again on a new RTP port range`);
      serverSettings.rtpMin = await freePortRange(RTP_PORTS);
      server = await start();
    }
  } catch (err) {
    const lines = (err as Error).message.split('\n').filter((l) => l.trim().length > 0);
    const message = `server did not start: ${lines[0] ?? ''}`;
    // The harness's message ends with the server's last log lines: keep them for the findings.
    findings.notes.push(message);
    findings.logLines = lines.slice(1, 12);
    return { result: onStartFailure(message, findings), findings };
  }
  let result: T;
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
  return { result, findings };
}
