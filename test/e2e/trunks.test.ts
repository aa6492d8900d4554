import { expect } from 'chai';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer, type ServerHandle } from '../support/server-process.js';
import { describeSipp, runSipp, SCENARIO_DIR, SCENARIOS } from '../support/sipp.js';
import { testDatabaseUrl, testDbKind, type TestDatabaseUrl } from '../support/test-database.js';

const TRUNK_ADDRESS = '127.0.0.2';
const STRANGER_ADDRESS = '127.0.0.9';

/** A copy of uac-refused.xml expecting `status` as the final response. */
function refusedScenario(status: number): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'sipp-refused-'));
  const file = path.join(dir, 'uac-refused.xml');
  writeFileSync(file, readFileSync(path.join(SCENARIO_DIR, 'uac-refused.xml'), 'utf8').replaceAll('EXPECTED_STATUS', String(status)));
  return file;
}

async function metric(server: ServerHandle, line: RegExp): Promise<number> {
  const text = await (await fetch(`${server.baseUrl}/metrics`)).text();
  const value = line.exec(text)?.[1];
  return value === undefined ? NaN : Number(value);
}

/**
 * Carrier trunks, end to end (issue 13): the real server with a trunks file naming one carrier
 * address (127.0.0.2) and two DIDs, each with its flow; sipp calls from the trunk and from a
 * stranger's address (127.0.0.9).
 */
describe(`trunks: source admission and DID routing, end to end (${testDbKind()})`, function () {
  this.timeout(240_000);
  let server: ServerHandle;
  let database: TestDatabaseUrl;

  before(async () => {
    database = await testDatabaseUrl();
    const dir = mkdtempSync(path.join(tmpdir(), 'trunks-e2e-'));
    const trunksFile = path.join(dir, 'trunks.yaml');
    writeFileSync(
      trunksFile,
      [
        'trunks:',
        '  - name: carrier',
        `    addresses: ["${TRUNK_ADDRESS}"]`,
        '    inbound:',
        '      dids:',
        '        "12345": IVR_FLOW',
        '        "0936-12345": test/e2e/fixtures/did-flow.yaml',
        '',
      ].join('\n'),
    );
    server = await startServer({ TRUNKS_FILE: trunksFile, DRAIN_TIMEOUT_S: '2' }, { databaseUrl: database.url, readyTimeoutMs: 120_000 });
  });

  after(async () => {
    await server.stop();
    await database.cleanup();
  });

  it('when a stranger (not a trunk address, no registered phone) calls, it gets 403 and no call is recorded', async () => {
    const before = await metric(server, /^hotline_sip_source_refused_total\{status="403"\} (\d+)/m);
    const result = await runSipp({ scenario: refusedScenario(403), target: `127.0.0.1:${server.sipPort}`, localIp: STRANGER_ADDRESS, timeoutS: 10 });
    expect(result.exitCode, describeSipp(result)).to.equal(0);
    expect(await metric(server, /^hotline_sip_source_refused_total\{status="403"\} (\d+)/m)).to.equal(before + 1);
    expect((await server.calls()).length).to.equal(0);
    expect(server.logs()).to.match(/request refused by source admission.*127\.0\.0\.9/);
  });

  it('when a stranger sends OPTIONS, it is answered 200 (keep-alive probes are not refused)', async () => {
    const result = await runSipp({ scenario: SCENARIOS.options, target: `127.0.0.1:${server.sipPort}`, localIp: STRANGER_ADDRESS, timeoutS: 10 });
    expect(result.exitCode, describeSipp(result)).to.equal(0);
  });

  it('when the trunk delivers a number that is none of its DIDs, it gets 404', async () => {
    const result = await runSipp({ scenario: refusedScenario(404), target: `127.0.0.1:${server.sipPort}`, localIp: TRUNK_ADDRESS, service: '99999', timeoutS: 10 });
    expect(result.exitCode, describeSipp(result)).to.equal(0);
    expect(await metric(server, /^hotline_sip_source_refused_total\{status="404"\} (\d+)/m)).to.be.at.least(1);
  });

  it('when the trunk delivers 12345, the inbound flow answers; 0936-12345 gets its own flow', async () => {
    const main = await runSipp({ scenario: SCENARIOS.uacByeEarly, target: `127.0.0.1:${server.sipPort}`, localIp: TRUNK_ADDRESS, service: '12345', timeoutS: 15 });
    expect(main.exitCode, describeSipp(main)).to.equal(0);
    const first = await server.waitForCall((c) => c.to === '12345' && c.endedAt !== null);
    expect(first.ivrPath.split(',')[0]).to.equal('welcome');

    const other = await runSipp({ scenario: SCENARIOS.uacByeEarly, target: `127.0.0.1:${server.sipPort}`, localIp: TRUNK_ADDRESS, service: '0936-12345', timeoutS: 15 });
    expect(other.exitCode, describeSipp(other)).to.equal(0);
    const second = await server.waitForCall((c) => c.to === '0936-12345' && c.endedAt !== null);
    expect(second.ivrPath.split(',')[0]).to.equal('did-welcome');
  });
});
