import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { freePort } from '../support/ports.js';
import { REPO_ROOT, startServer, tempSqliteUrl, type ServerHandle } from '../support/server-process.js';
import { describeSipp, runSipp, SCENARIOS } from '../support/sipp.js';
import { testDatabaseUrl, testDbKind, type TestDatabaseUrl } from '../support/test-database.js';

/** Runs src/main.ts with `env` until it exits (at most 60 s); resolves with its exit code and stderr. */
function runToExit(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: REPO_ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

/**
 * NAT (issue 13): separate bind and advertised addresses for SIP and RTP, and the refusal of a
 * wildcard bind that would advertise 127.0.0.1 to remote peers.
 */
describe(`NAT: bind and advertised addresses, end to end (${testDbKind()})`, function () {
  this.timeout(240_000);

  it('when SIP binds to 0.0.0.0 with no advertised address, the server refuses to start naming the keys to set', async () => {
    const { code, stderr } = await runToExit({
      SIP_LISTEN: '0.0.0.0',
      SIP_PUBLIC_ADDRESS: '',
      SIP_LAB: 'false',
      SIP_PORT: String(await freePort('both')),
      HTTP_PORT: String(await freePort('tcp')),
      DATABASE_URL: tempSqliteUrl(),
    });
    expect(code).to.equal(1);
    expect(stderr).to.match(/SIP_LISTEN is 0\.0\.0\.0 \(every interface\) but SIP_PUBLIC_ADDRESS is not set/);
    expect(stderr).to.match(/RTP_PUBLIC_ADDRESS/);
    expect(stderr).to.match(/SIP_LAB=true/);
  });

  describe('with RTP advertised apart from SIP', () => {
    let server: ServerHandle | undefined;
    let database: TestDatabaseUrl | undefined;

    before(async () => {
      database = await testDatabaseUrl();
      server = await startServer({ SIP_PUBLIC_ADDRESS: '127.0.0.1', RTP_PUBLIC_ADDRESS: '127.0.0.5', DRAIN_TIMEOUT_S: '2' }, { databaseUrl: database.url, readyTimeoutMs: 120_000 });
    });

    after(async () => {
      // A start that failed (e.g. a port taken by another process) leaves no server: its own error says why.
      await server?.stop();
      await database?.cleanup();
    });

    it('when a call is answered, the SDP c= names RTP_PUBLIC_ADDRESS while Contact names SIP_PUBLIC_ADDRESS', async () => {
      if (server === undefined) throw new Error('no server');
      const result = await runSipp({ scenario: SCENARIOS.uacByeEarly, target: `127.0.0.1:${server.sipPort}`, traceMessages: true, timeoutS: 15 });
      expect(result.exitCode, describeSipp(result)).to.equal(0);
      const ok = result.messages.split(/-{5,}.*\n/).find((m) => /^SIP\/2\.0 200/m.test(m) && /^CSeq:\s*1 INVITE/im.test(m));
      expect(ok, 'the 200 OK to the INVITE').to.be.a('string');
      expect(ok).to.match(/^c=IN IP4 127\.0\.0\.5\r?$/m);
      expect(ok).to.match(/^Contact:.*@127\.0\.0\.1:\d+/im);
    });
  });
});
