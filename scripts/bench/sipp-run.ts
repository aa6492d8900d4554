/**
 * What the benchmark keeps of one sipp run: call counts (answered and refused-with-503 apart, from the
 * generic counters of uac-setup.xml), retransmissions, INVITE→200 times (-trace_rtt) and the first
 * error lines. sipp's working directory is deleted when the run was clean, kept (and logged) otherwise.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { SippResult } from '../../test/support/sipp.js';
import { readRttCsv } from './measure.js';
import { log } from './runtime.js';

/** Lines sipp writes to its error file that are not errors (epoll noise, play_pcap_audio's file summary). */
const NOT_ERRORS = /Failed to delete FD from epoll|^In pcap |^max pkt length|^base port|prefers looking for pcap files|^Resolving remote host/;

export interface SippSummary {
  exitCode: number | null;
  timedOut: boolean;
  created: number;
  /** Calls that reached the end of the scenario (answered and refused alike for uac-setup.xml). */
  successful: number;
  failed: number;
  /** Calls answered with 200 (generic counter "answered"; = successful for scenarios without it). */
  answered: number;
  /** Calls refused with 503 (generic counter "refused"; 0 for scenarios without it). */
  refused: number;
  retransmissions: number;
  /** Failed calls by cause, for the report. */
  failedTimeout: number;
  failedUnexpected: number;
  failedMaxRetrans: number;
  wallS: number;
  /** INVITE→200 response times measured by sipp (ms). */
  rtt: number[];
  /** First lines of sipp's error file and stderr when calls failed. */
  errors: string;
}

function counter(counters: Record<string, string>, name: string): number | undefined {
  const raw = counters[name];
  return raw === undefined ? undefined : Number(raw);
}

export function summarizeSipp(result: SippResult, startedAt: number): SippSummary {
  const s = result.stats;
  const rtt = readRttCsv(result.dir);
  const successful = s?.successful ?? NaN;
  const refused = s === undefined ? NaN : (counter(s.counters, 'refused') ?? 0);
  const answered = s === undefined ? NaN : (counter(s.counters, 'answered') ?? successful);
  const clean = result.exitCode === 0 && s?.failed === 0;
  if (clean) rmSync(result.dir, { recursive: true, force: true });
  else log(`sipp files kept in ${result.dir}`);
  return {
    exitCode: result.exitCode,
    timedOut: result.timedOut,
    created: s?.created ?? NaN,
    successful,
    failed: s?.failed ?? NaN,
    answered,
    refused,
    retransmissions: s?.retransmissions ?? NaN,
    failedTimeout: s?.failedTimeoutOnRecv ?? NaN,
    failedUnexpected: s?.failedUnexpectedMessage ?? NaN,
    failedMaxRetrans: s?.failedMaxUdpRetrans ?? NaN,
    wallS: (Date.now() - startedAt) / 1000,
    rtt,
    errors: [result.errors, result.stderr]
      .join('\n')
      .split('\n')
      .filter((l) => l.trim().length > 0 && !NOT_ERRORS.test(l))
      .slice(0, 8)
      .join('\n'),
  };
}

/**
 * Calls created so far by a running sipp, from the last line of the statistics CSV it rewrites every
 * second (-fd 1); undefined before the first line.
 */
export function liveCreated(dir: string): number | undefined {
  const file = path.join(dir, 'stat.csv');
  if (!existsSync(file)) return undefined;
  const lines = readFileSync(file, 'utf8').trim().split('\n');
  const header = lines[0]?.split(';') ?? [];
  const last = lines.length > 1 ? lines[lines.length - 1]?.split(';') : undefined;
  const i = header.indexOf('TotalCallCreated');
  const value = i < 0 || last === undefined ? undefined : Number(last[i]);
  return value === undefined || Number.isNaN(value) ? undefined : value;
}
