/**
 * Debian tools the benchmark needs besides sipp: Kamailio (the reference SIP server) and tcpdump (the
 * RTP capture). Installed with apt-get when missing, as scripts/ensure-test-deps.sh does; a tool that
 * cannot be installed makes its phase report "not run" instead of failing the whole benchmark.
 */
import { spawnSync } from 'node:child_process';
import { log } from './runtime.js';

function onPath(binary: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${binary}`], { encoding: 'utf8' }).status === 0;
}

let aptUpdated = false;

/**
 * True when `binary` is on PATH, installing Debian package `pkg` first if needed (root only; apt
 * waits up to 2 min for a lock held by another installer).
 */
export function ensureTool(binary: string, pkg: string): boolean {
  if (onPath(binary)) return true;
  if (process.getuid?.() !== 0) {
    log(`${binary} missing and not root: apt-get install -y ${pkg} first`);
    return false;
  }
  const apt = (args: string[]): boolean => {
    const r = spawnSync('apt-get', ['-o', 'DPkg::Lock::Timeout=120', ...args], {
      encoding: 'utf8',
      timeout: 300_000,
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    if (r.status !== 0) log(`apt-get ${args.join(' ')} failed: ${(r.stderr || r.stdout).split('\n').slice(-3).join(' ')}`);
    return r.status === 0;
  };
  log(`installing ${pkg} (apt-get) for ${binary}`);
  if (!apt(['install', '-y', '--no-install-recommends', pkg])) {
    if (aptUpdated || !apt(['update'])) return false;
    aptUpdated = true;
    if (!apt(['install', '-y', '--no-install-recommends', pkg])) return false;
  }
  return onPath(binary);
}
