/**
 * Process plumbing of the benchmark: logging to stderr, sleeping, the whole-run time budget, and the
 * helper processes it starts itself (Kamailio, tcpdump), which are killed with their whole process
 * group when the benchmark exits for any reason (end, error, Ctrl-C). Servers and sipp are killed by
 * the 'exit' handlers of test/support/server-process.ts and test/support/sipp.ts.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const sleep = (msDelay: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, msDelay));

export function log(message: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

/** The whole run's time budget: steps that would not fit are skipped (and reported as skipped). */
export class Budget {
  private readonly startedAt = Date.now();

  constructor(readonly totalS: number) {}

  elapsedS(): number {
    return (Date.now() - this.startedAt) / 1000;
  }

  /** True when a step expected to take `estimateS` still ends within the budget. */
  fits(estimateS: number): boolean {
    return this.elapsedS() + estimateS <= this.totalS;
  }
}

/** Helper processes started by the benchmark, each leading its own process group. */
const owned = new Set<ChildProcess>();

function killGroup(child: ChildProcess, signal: NodeJS.Signals, evenIfLeaderExited = false): void {
  if (child.pid === undefined) return;
  if (!evenIfLeaderExited && (child.exitCode !== null || child.signalCode !== null)) return;
  try {
    // Negative pid: the process group the child leads (detached: true), so its forked workers too.
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

/** Temporary directories of the run, deleted at exit if their step did not delete them. */
const tempDirs = new Set<string>();

process.once('exit', () => {
  for (const child of owned) killGroup(child, 'SIGKILL');
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

/** A fresh directory under the temp dir, deleted by `removeTempDir` or at the latest when the process exits. */
export function makeTempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  tempDirs.add(dir);
  return dir;
}

export function removeTempDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  tempDirs.delete(dir);
}

export interface OwnedProcess {
  child: ChildProcess;
  /** stdout and stderr so far, interleaved (the last 1 MiB). */
  output(): string;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  /** SIGTERM to the group, SIGKILL after `graceMs`; resolves once the leader exited. */
  stop(graceMs?: number): Promise<number | null>;
}

/** Starts `command` in its own process group, remembered for the exit-time cleanup. */
export function spawnOwned(command: string, args: readonly string[], options: SpawnOptions = {}): OwnedProcess {
  const child = spawn(command, args, { ...options, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  owned.add(child);
  let out = '';
  const append = (chunk: Buffer): void => {
    out += chunk.toString('utf8');
    if (out.length > 1024 * 1024) out = out.slice(out.length - 1024 * 1024);
  };
  child.stdout.on('data', append);
  child.stderr.on('data', append);
  const exited = new Promise<number | null>((resolve) => {
    child.once('error', (err) => {
      out += `\nspawn ${command} failed: ${err.message}\n`;
      owned.delete(child);
      resolve(null);
    });
    child.once('exit', (code) => {
      owned.delete(child);
      resolve(code);
    });
  });
  return {
    child,
    output: () => out,
    exited,
    stop: async (graceMs = 3000) => {
      killGroup(child, 'SIGTERM');
      const timer = setTimeout(() => { killGroup(child, 'SIGKILL'); }, graceMs);
      const code = await exited;
      clearTimeout(timer);
      // Workers of a group whose leader exited first.
      killGroup(child, 'SIGKILL', true);
      return code;
    },
  };
}
