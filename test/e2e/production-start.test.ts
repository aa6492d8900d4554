import { expect } from 'chai';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { freePort, freePortRange, isPortFree } from '../support/ports.js';
import { ADMIN, REPO_ROOT, startServer, tempSqliteUrl } from '../support/server-process.js';

/**
 * The operator's way (issue 13): README's `npm start` runs the compiled server (dist/main.js, built
 * when stale), and SIGTERM to the process the operator started — npm's — drains and exits 0 with
 * nothing left behind holding the ports (before, npm exited 143 and the server ran on, orphaned).
 */
describe('production start: npm start and SIGTERM to its PID', function () {
  // A stale build is compiled first (tsc ~10 s, the workspace ~40 s on this machine).
  this.timeout(180_000);

  it('serves from dist/main.js, and SIGTERM to npm stops the server with exit code 0 and frees its ports', async () => {
    const server = await startServer({}, { command: 'npm-start', readyTimeoutMs: 150_000 });
    try {
      const health = await fetch(`${server.baseUrl}/healthz`);
      expect(health.status).to.equal(200);
      expect(server.logs()).to.include('hotline server started');
    } finally {
      const code = await server.stop('SIGTERM');
      expect(code, server.tail()).to.equal(0);
    }
    expect(server.logs()).to.include('"message":"stopped"');
    expect(await isPortFree(server.sipPort, 'udp'), 'SIP port released').to.equal(true);
    expect(await isPortFree(server.httpPort, 'tcp'), 'HTTP port released').to.equal(true);
  });
});

/**
 * A server whose stdout reader went away (its parent died, `| head`, journald stopped) must neither
 * spin on EPIPE — each failed write was logged, which wrote again, at 50 % of a core — nor ignore
 * SIGTERM: it keeps serving, stops logging, and drains on the signal.
 */
describe('production start: stdout closed under the server', function () {
  this.timeout(90_000);

  it('keeps answering with its stdout pipe closed, and SIGTERM still stops it with exit code 0', async () => {
    // The catalogue's speech, synthesised in the background after the start, is work, not a spin.
    const { child, httpPort } = await spawnServer({ LOG_LEVEL: 'debug', SPEECH_PREWARM: 'false' });
    const exited = once(child, 'exit');
    try {
      let log = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        log += chunk;
      });
      for (let i = 0; i < 300 && !log.includes('hotline server started'); i++) await new Promise((r) => setTimeout(r, 100));
      expect(log).to.include('hotline server started');
      child.stdout.destroy();
      child.stderr.destroy();
      // Every request is logged (debug): the first writes after the close fail with EPIPE.
      for (let i = 0; i < 20; i++) {
        const res = await fetch(`http://127.0.0.1:${httpPort}/api/v1/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username: 'nobody', password: 'wrong-password' }),
        });
        expect(res.status).to.be.oneOf([401, 429]);
      }
      const cpuBefore = process.hrtime.bigint();
      const pid = child.pid ?? 0;
      const ticksBefore = readStat(pid);
      await new Promise((r) => setTimeout(r, 2000));
      const busyMs = ((readStat(pid) - ticksBefore) * 10) / (Number(process.hrtime.bigint() - cpuBefore) / 1e9);
      expect(busyMs, 'CPU ms per second while idle with stdout closed').to.be.below(300);
      expect((await fetch(`http://127.0.0.1:${httpPort}/healthz`)).status).to.equal(200);
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      const [code] = (await exited) as [number | null];
      clearTimeout(timer);
      expect(code, 'exit code after SIGTERM').to.equal(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    expect(await isPortFree(httpPort, 'tcp')).to.equal(true);
  });
});

/**
 * /healthz answers before the start-up has finished (flows, jobs): a SIGTERM then — an operator, an
 * orchestrator's health-checked restart — used to kill the half-started process by Node's default
 * action (exit by signal, no drain). It now stops the server once started, with exit code 0.
 */
describe('production start: SIGTERM during the start-up', function () {
  this.timeout(90_000);

  it('when SIGTERM arrives while the database is being opened, the server finishes starting, then stops with exit code 0', async () => {
    const { child, httpPort, sipPort } = await spawnServer({ LOG_LEVEL: 'info', SPEECH_PREWARM: 'false', MEDIA_WORKERS: '1' });
    const exited = once(child, 'exit');
    let log = '';
    let signalled = false;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      log += chunk;
      // The first line of the start-up proper (migrations, seed, media workers, SIP, HTTP follow). Once:
      // a second signal during the start-up exits at once.
      if (!signalled && log.includes('"database opened"')) {
        signalled = true;
        child.kill('SIGTERM');
      }
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    try {
      const [code, signal] = (await exited) as [number | null, NodeJS.Signals | null];
      expect({ code, signal }, log.slice(-3000)).to.deep.equal({ code: 0, signal: null });
    } finally {
      clearTimeout(timer);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    expect(log).to.include('signal received during start-up');
    expect(log.indexOf('hotline server started'), 'started before stopping').to.be.greaterThan(log.indexOf('signal received during start-up'));
    expect(log).to.include('"message":"stopped"');
    expect(await isPortFree(httpPort, 'tcp'), 'HTTP port released').to.equal(true);
    expect(await isPortFree(sipPort, 'udp'), 'SIP port released').to.equal(true);
  });
});

/** `node src/main.ts` on free ports and a fresh SQLite file, its output piped, `env` over the defaults. */
async function spawnServer(env: Record<string, string>): Promise<{ child: ChildProcessWithoutNullStreams; httpPort: number; sipPort: number }> {
  const httpPort = await freePort('tcp');
  const sipPort = await freePort('both');
  const rtpMin = await freePortRange(20);
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: REPO_ROOT,
    stdio: ['pipe', 'pipe', 'pipe'],
    env: {
      ...process.env,
      SIP_LISTEN: '127.0.0.1',
      HTTP_LISTEN: '127.0.0.1',
      HTTP_PORT: String(httpPort),
      SIP_PORT: String(sipPort),
      RTP_PORT_MIN: String(rtpMin),
      RTP_PORT_MAX: String(rtpMin + 19),
      DATABASE_URL: tempSqliteUrl(),
      ADMIN_USER: ADMIN.username,
      ADMIN_PASSWORD: ADMIN.password,
      ...env,
    },
  });
  child.stdin.end();
  return { child, httpPort, sipPort };
}

/** utime + stime of a process, in clock ticks (100 a second on Linux). */
function readStat(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}
