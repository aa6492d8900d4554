/**
 * Kamailio as the reference SIP server of the set-up ladder: Debian's kamailio (installed when
 * missing) with scripts/bench/ref/kamailio.cfg (stateless 200 to INVITE and BYE, ACK dropped) on a
 * free 127.0.0.1 port, two worker processes (one per core), in its own process group so every
 * worker is killed with it.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, isPortFree } from '../../../test/support/ports.js';
import { makeTempDir, removeTempDir, sleep, spawnOwned, type OwnedProcess } from '../runtime.js';
import { ensureTool } from '../tools.js';

const here = path.dirname(fileURLToPath(import.meta.url));
export const KAMAILIO_CFG = path.join(here, 'kamailio.cfg');
const CHILDREN = 2;

export interface Kamailio {
  port: number;
  pid: number | undefined;
  version: string;
  stop(): Promise<void>;
}

/** Starts Kamailio; rejects with the reason when it cannot be installed or does not answer. */
export async function startKamailio(): Promise<Kamailio> {
  if (!ensureTool('kamailio', 'kamailio')) throw new Error('kamailio is not installed and apt-get could not install it');
  const port = await freePort('udp');
  const dir = makeTempDir('bench-kamailio-');
  const cfg = path.join(dir, 'kamailio.cfg');
  writeFileSync(
    cfg,
    readFileSync(KAMAILIO_CFG, 'utf8').replaceAll('BENCH_LISTEN', `127.0.0.1:${port}`).replaceAll('BENCH_CHILDREN', String(CHILDREN)),
  );
  const proc: OwnedProcess = spawnOwned('kamailio', ['-f', cfg, '-DD', '-E', '-m', '64', '-M', '8', '-P', path.join(dir, 'kamailio.pid'), '-w', dir], { cwd: dir });
  const state = { exited: false };
  void proc.exited.then(() => { state.exited = true; });
  // Ready when the UDP port is taken (kamailio prints no "ready" line at debug=0).
  const deadline = Date.now() + 10_000;
  while (await isPortFree(port, 'udp')) {
    if (state.exited || Date.now() > deadline) {
      await proc.stop(500);
      removeTempDir(dir);
      throw new Error(`kamailio did not start: ${proc.output().trim().split('\n').slice(-3).join(' ')}`);
    }
    await sleep(100);
  }
  const version = /kamailio (\d+\.\d+\.\d+)/.exec(spawnSync('kamailio', ['-v'], { encoding: 'utf8', timeout: 5000 }).stdout)?.[1] ?? 'version unknown';
  return {
    port,
    pid: proc.child.pid,
    version,
    stop: async () => {
      await proc.stop(3000);
      removeTempDir(dir);
    },
  };
}
