import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ApiClient, DesktopClient } from '../support/api-client.js';
import { makeToneWav, startBaresip, type Baresip } from '../support/baresip.js';
import { firstLeafCategory, getTicket } from '../support/order-helpers.js';
import { freePortRange } from '../support/ports.js';
import { ADMIN, REPO_ROOT, startServer, type CallRecordJson, type ServerHandle } from '../support/server-process.js';
import { describeSipp, runSipp, SCENARIOS, startSipp, type SippProcess } from '../support/sipp.js';
import { testDatabaseUrl, testDbKind, type TestDatabaseUrl } from '../support/test-database.js';

const run = promisify(execFile);
const here = new URL('.', import.meta.url).pathname;

/** Runs `npm run backup` / `restore` / `migrate` (the scripts themselves, through tsx) with `env`. */
async function script(name: 'backup' | 'restore' | 'migrate', args: string[], env: Record<string, string>): Promise<string> {
  try {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', `scripts/${name}.ts`, ...args], { cwd: REPO_ROOT, env: { ...process.env, ...env }, timeout: 60_000 });
    return stdout;
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${name} failed: ${e.message}\n${e.stdout ?? ''}\n${e.stderr ?? ''}`);
  }
}

/**
 * Data care (issue 13): `npm run backup` while the server runs and takes calls, `npm run restore`
 * into a new database and folders, and a second server on the restored copy shows the same work
 * orders, calls and recording.
 */
describe(`backup and restore, end to end (${testDbKind()})`, function () {
  this.timeout(150_000);
  const dirs: string[] = [];
  const databases: TestDatabaseUrl[] = [];
  const servers: ServerHandle[] = [];
  const phones: Baresip[] = [];
  let load: SippProcess | undefined;

  const tempDir = (prefix: string): string => {
    const dir = mkdtempSync(join(tmpdir(), `hotline-backup-${prefix}-`));
    dirs.push(dir);
    return dir;
  };

  after(async () => {
    await load?.stop();
    for (const phone of phones) await phone.stop();
    for (const server of servers) await server.stop('SIGKILL');
    for (const database of databases) await database.cleanup();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('when a backup is taken while calls go on, a server started on the restored copy finds the same orders, calls and recording', async () => {
    const original = await testDatabaseUrl();
    databases.push(original);
    const flows = { QUEUES_FILE: join(here, 'fixtures/queues.yaml'), IVR_FLOW: join(here, 'fixtures/agent-flow.yaml'), NODE_ID: 'backup-e2e', DRAIN_TIMEOUT_S: '1' };
    const before = { RECORDINGS_DIR: tempDir('rec'), RECORD_SPOOL_DIR: tempDir('spool') };
    const server = await startServer({ ...flows, ...before }, { databaseUrl: original.url, readyTimeoutMs: 60_000 });
    servers.push(server);
    const admin = await ApiClient.login(server.baseUrl, ADMIN.username, ADMIN.password);

    // A recorded conversation: a resident presses 0 and talks to agent 8001 for 2 s.
    const created = await admin.post('/api/v1/agents', { username: 'agent8001', password: 'pass-8001', displayName: '话务员8001', extension: '8001', skills: ['general'] });
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    const agentPhone = await startBaresip({
      audioSource: makeToneWav(undefined, { frequency: 880, seconds: 30, volume: 0.3 }),
      account: { user: '8001', password: 'pass-8001', registrar: `127.0.0.1:${server.sipPort}`, register: true, answerMode: 'auto' },
    });
    phones.push(agentPhone);
    await waitFor(() => server.logs().includes('"extension":"8001"'), 10_000);
    const agent = await ApiClient.login(server.baseUrl, 'agent8001', 'pass-8001');
    const desk = await DesktopClient.connect(server.baseUrl, agent.bearer);
    try {
      await desk.waitFor((f) => f.type === 'hello');
      desk.send({ type: 'ready' });
      await desk.waitFor((f) => f.type === 'state' && f.state === 'ready', 5000);
      const caller = await startBaresip({ account: { user: '13800138011', register: false, answerMode: 'auto' }, audioSource: makeToneWav(undefined, { frequency: 440, seconds: 30, volume: 0.3 }) });
      phones.push(caller);
      await caller.dial(`sip:12345@127.0.0.1:${server.sipPort}`);
      await caller.waitForEvent('CALL_ESTABLISHED', 10_000);
      await sleep(800);
      await caller.sendDtmf('0');
      await desk.waitFor((f) => f.type === 'connected', 15_000);
      await sleep(2000);
      await caller.hangup();
    } finally {
      desk.close();
    }
    const recorded = await server.waitForCall((c) => c.endedAt !== null && c.hasRecording, 20_000);
    const recording = await admin.get(`/api/v1/calls/${encodeURIComponent(recorded.callId)}/recording`);
    expect(recording.status).to.equal(200);

    // Calls that only went through the IVR (8: a queue nobody serves, then the caller hangs up).
    const ivr = await runSipp({ scenario: SCENARIOS.uacDtmfBye, target: `127.0.0.1:${server.sipPort}`, mediaPort: await freePortRange(4), dtmf: '8', calls: 3, rate: 5, concurrency: 3, timeoutS: 30 });
    expect(ivr.exitCode, describeSipp(ivr)).to.equal(0);

    // Work orders, one of them for the recorded call.
    const categoryId = await firstLeafCategory(admin);
    const codes: string[] = [];
    for (const [phone, content, callId] of [
      ['13800138011', '反映楼道照明损坏多日无人维修,请尽快处理。', recorded.callId],
      ['13900139012', '小区门口道路积水严重,影响出行,请有关部门处理。', undefined],
    ] as const) {
      const order = await admin.post('/api/v1/tickets', { requestType: 'complaint', categoryId, content, address: '朝阳区某小区3号楼', residentPhone: phone, ...(callId === undefined ? {} : { callId }) });
      expect(order.status, JSON.stringify(order.body)).to.equal(201);
      codes.push((order.body as { code: string }).code);
    }
    const endedBefore = (await server.calls()).filter((c) => c.endedAt !== null);
    expect(endedBefore).to.have.length(4);
    const ordersBefore = await Promise.all(codes.map((code) => getTicket(admin, code)));

    // The backup runs while new calls arrive and are written.
    load = await startSipp({ scenario: SCENARIOS.uacDtmfBye, target: `127.0.0.1:${server.sipPort}`, mediaPort: await freePortRange(4), dtmf: '8', calls: 10, rate: 4, concurrency: 10, timeoutS: 30 });
    await waitFor(async () => (await server.calls()).length > endedBefore.length, 10_000);
    const backups = tempDir('out');
    const out = await script('backup', ['--to', backups], { DATABASE_URL: original.url, ...before });
    const folder = /^backup written to (.+)$/m.exec(out)?.[1];
    expect(folder, out).to.be.a('string');
    expect(out).to.match(/recordings: 1 files/);
    const loadResult = await load.done;
    load = undefined;
    expect(loadResult.exitCode, describeSipp(loadResult)).to.equal(0);
    expect(await server.stop()).to.equal(0);

    // Restored into a new database and new folders, as on a replacement host.
    const copy = await testDatabaseUrl();
    databases.push(copy);
    const after = { RECORDINGS_DIR: join(tempDir('rec2'), 'recordings'), RECORD_SPOOL_DIR: tempDir('spool2') };
    const restored = await script('restore', [String(folder)], { DATABASE_URL: copy.url, ...after });
    expect(restored).to.match(/\(1 call rows pointed here\)/);
    const second = await startServer({ ...flows, ...after }, { databaseUrl: copy.url, readyTimeoutMs: 60_000 });
    servers.push(second);
    const admin2 = await ApiClient.login(second.baseUrl, ADMIN.username, ADMIN.password);

    const callsAfter = new Map((await second.calls()).map((c) => [c.callId, c]));
    for (const call of endedBefore) expect(callsAfter.get(call.callId), call.callId).to.deep.equal(call);
    for (const order of ordersBefore) {
      const again = await getTicket(admin2, order.code);
      expect(again).to.deep.include({ code: order.code, state: order.state, version: order.version, content: order.content, callId: order.callId });
      expect(again.events.map((e) => e.type)).to.deep.equal(order.events.map((e) => e.type));
    }
    const recordingAgain = await admin2.get(`/api/v1/calls/${encodeURIComponent(recorded.callId)}/recording`);
    expect(recordingAgain.status).to.equal(200);
    expect(Buffer.from(recordingAgain.body as ArrayBuffer).equals(Buffer.from(recording.body as ArrayBuffer))).to.equal(true);

    // The restored recordings folder is measured at start, for /metrics.
    await waitFor(async () => /^hotline_recordings_files 1$/m.test(await (await fetch(`${second.baseUrl}/metrics`)).text()), 10_000);
  });

  it('when the backup folder is restored onto a database that already has data, the restore refuses and names why', async () => {
    const target = await testDatabaseUrl();
    databases.push(target);
    const env = { DATABASE_URL: target.url, RECORDINGS_DIR: tempDir('rec3'), RECORD_SPOOL_DIR: tempDir('spool3') };
    await script('migrate', [], env);
    const out = await script('backup', ['--to', tempDir('out2'), '--no-recordings'], env);
    const folder = String(/^backup written to (.+)$/m.exec(out)?.[1]);
    const refused = await script('restore', [folder], env).then(
      () => '',
      (err: unknown) => String(err),
    );
    expect(refused).to.match(testDbKind() === 'sqlite' ? /RESTORE_REFUSED: .* exists: stop the server/ : /RESTORE_REFUSED: .* has \d+ tables: restore into an empty database/);
  });
});

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(100);
  }
}

export type { CallRecordJson };
