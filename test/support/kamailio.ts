/**
 * Kamailio as a carrier's SBC for end-to-end tests (Debian package `kamailio`): test/kamailio/carrier-sbc.cfg
 * with its placeholders filled, in the foreground in its own process group (its workers die with it).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from './server-process.js';

export interface CarrierSbcOptions {
  /** `ip:port` Kamailio listens on (UDP). */
  listen: string;
  /** The hotline server's SIP address. */
  hotline: { ip: string; port: number };
  /** `ip:port` of the resident's phone (a sipp UAS) the hotline's outbound calls are relayed to. */
  residentUas: string;
  register: { user: string; password: string };
  outbound: { user: string; password: string };
}

export interface CarrierSbc {
  logs(): string;
  stop(): Promise<void>;
}

/** True when kamailio is installed (ensure-test-deps.sh installs it). */
export function hasKamailio(): boolean {
  return spawnSync('kamailio', ['-v'], { encoding: 'utf8', timeout: 5000 }).status === 0;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function startCarrierSbc(options: CarrierSbcOptions): Promise<CarrierSbc> {
  const dir = mkdtempSync(path.join(tmpdir(), 'carrier-sbc-'));
  const cfg = path.join(dir, 'kamailio.cfg');
  const text = readFileSync(path.join(REPO_ROOT, 'test/kamailio/carrier-sbc.cfg'), 'utf8')
    .replaceAll('SBC_LISTEN', options.listen)
    .replaceAll('HOTLINE_IP', options.hotline.ip)
    .replaceAll('HOTLINE_PORT', String(options.hotline.port))
    .replaceAll('RESIDENT_UAS', options.residentUas)
    .replaceAll('REG_USER', options.register.user)
    .replaceAll('REG_PASSWORD', options.register.password)
    .replaceAll('OUT_USER', options.outbound.user)
    .replaceAll('OUT_PASSWORD', options.outbound.password);
  writeFileSync(cfg, text);
  const child = spawn('kamailio', ['-f', cfg, '-DD', '-E', '-m', '64', '-M', '8', '-P', path.join(dir, 'kamailio.pid'), '-w', dir], { cwd: dir, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (out += c));
  const exited = new Promise<void>((resolve) => child.once('exit', () => { resolve(); }));
  const killGroup = (signal: NodeJS.Signals): void => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, signal);
    } catch {
      // already gone
    }
  };
  process.once('exit', () => { killGroup('SIGKILL'); });
  // Ready once it printed its listening socket (then its workers start); give up after 10 s.
  const deadline = Date.now() + 10_000;
  while (!out.includes('Listening on')) {
    if (child.exitCode !== null || Date.now() > deadline) {
      killGroup('SIGKILL');
      throw new Error(`kamailio did not start: ${out.split('\n').slice(-5).join('\n')}`);
    }
    await sleep(100);
  }
  await sleep(300);
  return {
    logs: () => out,
    stop: async () => {
      killGroup('SIGTERM');
      const timer = setTimeout(() => { killGroup('SIGKILL'); }, 3000);
      await exited;
      clearTimeout(timer);
    },
  };
}
