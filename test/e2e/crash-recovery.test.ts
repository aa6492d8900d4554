import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePortRange } from '../support/ports.js';
import { startServer, type ServerHandle } from '../support/server-process.js';
import { SCENARIOS, startSipp, type SippProcess } from '../support/sipp.js';
import { testDatabaseUrl, testDbKind, type TestDatabaseUrl } from '../support/test-database.js';

/**
 * kill -9 in the middle of calls: the next start of the same node closes the calls its previous run
 * left open, as `crashed`, instead of leaving them open for ever.
 */
describe(`crash recovery, end to end (${testDbKind()})`, function () {
  this.timeout(90_000);
  let database: TestDatabaseUrl;
  let spoolDir: string;
  const servers: ServerHandle[] = [];
  let sipp: SippProcess | undefined;

  before(async () => {
    database = await testDatabaseUrl();
    spoolDir = mkdtempSync(join(tmpdir(), 'hotline-crash-spool-'));
  });

  after(async () => {
    await sipp?.stop();
    for (const server of servers) await server.stop('SIGKILL');
    await database.cleanup();
    rmSync(spoolDir, { recursive: true, force: true });
  });

  it('when the server is killed with -9 during 5 answered calls, the restarted server closes their records as crashed', async () => {
    const env = { NODE_ID: 'e2e-node', RECORD_SPOOL_DIR: spoolDir, DRAIN_TIMEOUT_S: '1' };
    const first = await startServer(env, { databaseUrl: database.url });
    servers.push(first);
    sipp = await startSipp({
      scenario: SCENARIOS.uacDtmf,
      target: `127.0.0.1:${first.sipPort}`,
      mediaPort: await freePortRange(4),
      calls: 5,
      rate: 10,
      concurrency: 5,
      pauseMs: 60_000,
      timeoutS: 80,
    });
    const deadline = Date.now() + 20_000;
    let answered = 0;
    while (answered < 5) {
      if (Date.now() > deadline) throw new Error(`only ${answered} of 5 calls answered:\n${first.tail(30)}`);
      answered = (await first.calls().catch(() => [])).filter((c) => c.answeredAt !== null && c.endedAt === null).length;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const killedAt = Date.now();
    expect(await first.stop('SIGKILL')).to.equal(null);
    await sipp.stop();
    sipp = undefined;

    const second = await startServer(env, { databaseUrl: database.url });
    servers.push(second);
    const calls = await second.calls();
    expect(calls).to.have.length(5);
    for (const call of calls) {
      expect(call, JSON.stringify(call)).to.include({ endReason: 'crashed', hungUpBy: 'system' });
      // Ended at the last sign of life of the killed run: after the answer, not after the restart.
      const endedAt = Date.parse(call.endedAt ?? '');
      expect(endedAt).to.be.at.least(Date.parse(call.startedAt));
      expect(endedAt).to.be.at.most(killedAt + 1000);
    }
  });
});
