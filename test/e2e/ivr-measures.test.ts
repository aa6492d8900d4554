import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { ApiClient } from '../support/api-client.js';
import { startBaresip, type Baresip } from '../support/baresip.js';
import { reviewedOrder } from '../support/order-helpers.js';
import { freePortRange } from '../support/ports.js';
import { ADMIN, startServer, type ServerHandle } from '../support/server-process.js';
import { describeSipp, runSipp, SCENARIOS } from '../support/sipp.js';
import { testDatabaseUrl, testDbKind, type TestDatabaseUrl } from '../support/test-database.js';
import { readWav, rmsPerChannel } from '../support/wav.js';
import type { IvrReportJson } from '../../src/shared/wire/ivr-reports.js';
import type { SummaryReportJson } from '../../src/shared/wire/reports.js';

/**
 * Issue 12's measures end to end: sipp callers (RFC 2833 keys) take different branches of the default
 * flow and the IVR report counts them per node; a resident whose order was replied hears the reply's
 * summary, synthesised by espeak-ng, and the call record keeps what was said.
 */
describe(`IVR measures and the reply read, end to end (${testDbKind()})`, function () {
  this.timeout(120_000);
  let server: ServerHandle | undefined;
  let database: TestDatabaseUrl;
  let admin: ApiClient;

  before(async () => {
    database = await testDatabaseUrl();
    // The migrations on a fresh MariaDB database take a while on a loaded machine.
    server = await startServer({ DRAIN_TIMEOUT_S: '2' }, { databaseUrl: database.url, readyTimeoutMs: 90_000 });
    admin = await ApiClient.login(server.baseUrl, ADMIN.username, ADMIN.password);
  });

  after(async () => {
    await server?.stop();
    await database.cleanup();
  });

  function up(): ServerHandle {
    if (server === undefined) throw new Error('the server did not start');
    return server;
  }

  async function callSipp(scenario: string, dtmf?: string): Promise<string> {
    const server = up();
    const mediaPort = await freePortRange(4);
    const result = await runSipp({ scenario, target: `127.0.0.1:${server.sipPort}`, mediaPort, timeoutS: 30, traceMessages: true, ...(dtmf ? { dtmf } : {}) });
    expect(result.exitCode, `${describeSipp(result)}\n--- server ---\n${server.tail(30)}`).to.equal(0);
    const callId = /Call-ID:\s*(\S+)/i.exec(result.messages)?.[1] ?? '';
    await server.waitForCall((c) => c.callId === callId && c.endedAt !== null && c.ivrOutcome != null, 15_000);
    return callId;
  }

  it('when callers take different branches, the IVR report counts per node who reached it, left there and went on to a queue', async () => {
    const from = new Date(Date.now() - 1000).toISOString();
    // 1 → consult queue, 0 → general queue, 3 → asked for a code and hangs up there, no key → hangs up in the welcome.
    await callSipp(SCENARIOS.uacDtmfBye, '1');
    await callSipp(SCENARIOS.uacDtmfBye, '0');
    await callSipp(SCENARIOS.uacDtmfBye, '3');
    await callSipp(SCENARIOS.uacByeEarly);
    const to = new Date(Date.now() + 1000).toISOString();
    const res = await admin.get(`/api/v1/reports/ivr?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    const report = res.body as IvrReportJson;
    expect(report).to.deep.include({ flow: 'default', entered: 4, queued: 2, left: 2, selfServed: 0, selfServiceRate: 0, containmentRate: 0.5 });
    const node = (id: string) => report.nodes.find((n) => n.node === id);
    expect(node('welcome')).to.deep.include({ type: 'play', reached: 4, left: 1, queued: 2 });
    expect(node('main-menu')).to.deep.include({ type: 'menu', reached: 3, left: 0, queued: 2 });
    expect(node('consult')).to.deep.include({ type: 'queue', reached: 1, queued: 1 });
    expect(node('agent')).to.deep.include({ reached: 1, queued: 1 });
    expect(node('progress-code')).to.deep.include({ type: 'collect', reached: 1, left: 1, leftRate: 1 });
    expect(node('progress-read')).to.deep.include({ reached: 0 });

    const summary = (await admin.get(`/api/v1/reports/summary?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`)).body as SummaryReportJson;
    expect(summary.ivr).to.deep.include({ entered: 4, selfServed: 0, queued: 2, selfServiceRate: 0 });
  });

  it('when a resident whose order was replied presses 3 then 1, it hears the state and the reply\'s summary; the call record keeps the text and counts a self-service', async function () {
    if (spawnSync('espeak-ng', ['--version']).error !== undefined) this.skip();
    const server = up();
    const phoneNumber = '13800138777';
    const units = (await admin.get('/api/v1/units')).body as { items: { id: number }[] };
    const unitId = units.items[0]?.id ?? 0;
    const username = `unit${String(Date.now() % 100000)}`;
    expect((await admin.post('/api/v1/users', { username, password: 'unit-password-1', role: 'unit', unitId, displayName: '街道办联络员' })).status).to.equal(201);
    const unit = await ApiClient.login(server.baseUrl, username, 'unit-password-1');
    await reviewedOrder(admin, unit, unitId, phoneNumber);

    const phone: Baresip = await startBaresip({ account: { user: phoneNumber, register: false, answerMode: 'auto' } });
    try {
      const since = phone.mark();
      await phone.dial(`sip:12345@127.0.0.1:${server.sipPort}`);
      await phone.waitForEvent('CALL_ESTABLISHED', 10_000, since);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      await phone.sendDtmf('3');
      await new Promise((resolve) => setTimeout(resolve, 2500));
      await phone.sendDtmf('1');
      // The state (~10 s of speech) and the reply follow; the reply node is entered once the state has played.
      const until = Date.now() + 45_000;
      while (!server.logs().includes('"nodeId":"progress-reply"') && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 300));
      await new Promise((resolve) => setTimeout(resolve, 3000));
      await phone.hangup();
      await phone.waitForEvent('CALL_CLOSED', 10_000, since);
      const call = await server.waitForCall((c) => c.from === phoneNumber && c.endedAt !== null && c.ivrOutcome != null, 15_000);
      expect(call.ivrPath.split(',')).to.include.members(['progress-read', 'progress-reply']);
      expect(call).to.include({ ivrFlow: 'default', ivrOutcome: 'caller-hangup', ivrSelfServed: true });
      const spoken = (call.ivrSpoken ?? '').split('\n');
      expect(spoken[1]).to.include('目前已答复');
      // The reply of reviewedOrder, read in full (it is under the 120-character cap).
      const speechLog = server.logs().split('\n').filter((l) => l.includes('speak') || l.includes('speech')).slice(-6).join('\n');
      expect(spoken[2], speechLog).to.equal('答复内容:经现场核查,该餐馆未安装油烟净化设施,已责令其限期整改并于三日后复查,整改已完成。');
      const heard = phone.recordings('dec');
      const [rms] = rmsPerChannel(readWav(heard[heard.length - 1] ?? ''));
      expect(rms ?? 0, 'energy of what the caller heard (prompts and synthesised speech)').to.be.above(0.01);
    } finally {
      await phone.stop();
    }
  });
});
