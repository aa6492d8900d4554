/**
 * Client-side measurements for the benchmark: sipp's -trace_rtt CSV, percentiles, CPU time of a
 * process from /proc, and the sipp version string.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

/** Response times (ms) of rtd number `rtd` in the `*_rtt.csv` files sipp wrote in `dir` (-trace_rtt). */
export function readRttCsv(dir: string, rtd = 1): number[] {
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('_rtt.csv')) : [];
  const values: number[] = [];
  for (const file of files) {
    // Lines: "Date_ms;response_time_ms;rtd_no" then one line per measured response.
    for (const line of readFileSync(path.join(dir, file), 'utf8').split('\n')) {
      const [, time, no] = line.trim().split(';');
      if (time === undefined || no === undefined) continue;
      const ms = Number(time);
      if (Number(no) === rtd && Number.isFinite(ms)) values.push(ms);
    }
  }
  return values;
}

/** Nearest-rank percentile (p in 0..100) of `values`; undefined for an empty list. */
export function percentile(values: readonly number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1];
}

/** Clock ticks per second for /proc/<pid>/stat (USER_HZ: 100 on every Linux this runs on). */
const USER_HZ = 100;

/** User + system CPU seconds used so far by `pid` (Linux /proc), undefined when unreadable. */
export function processCpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after "(comm)": state is field 3, utime 14, stime 15 (1-based in proc(5)).
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(rest[11]);
    const stime = Number(rest[12]);
    if (!Number.isFinite(utime) || !Number.isFinite(stime)) return undefined;
    return (utime + stime) / USER_HZ;
  } catch {
    return undefined;
  }
}

/** "SIPp v3.6.1-…" or "sipp not found". */
export function sippVersion(): string {
  const out = spawnSync('sipp', ['-v'], { encoding: 'utf8', timeout: 5000 });
  const text = `${out.stdout}${out.stderr}`;
  return /SIPp v\S+/.exec(text)?.[0] ?? 'sipp not found';
}

/** Pids of `pid` and all its descendants (Linux /proc, one pass over the process table). */
export function processTree(pid: number): number[] {
  const parentOf = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Field 4 (ppid) comes right after "(comm) state".
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parentOf.set(Number(entry), ppid);
    } catch {
      // exited meanwhile
    }
  }
  const tree = [pid];
  for (let i = 0; i < tree.length; i++) {
    for (const [child, parent] of parentOf) if (parent === tree[i]) tree.push(child);
  }
  return tree;
}

/** CPU seconds of `pid` and its descendants (a forking server such as Kamailio). */
export function processTreeCpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  let total = 0;
  let seen = false;
  for (const p of processTree(pid)) {
    const s = processCpuSeconds(p);
    if (s !== undefined) {
      total += s;
      seen = true;
    }
  }
  return seen ? total : undefined;
}

/** Resident set size of `pid` in bytes (VmRSS of /proc/<pid>/status), undefined when unreadable. */
export function rssBytes(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb === undefined ? undefined : Number(kb) * 1024;
  } catch {
    return undefined;
  }
}
