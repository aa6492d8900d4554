import { expect } from 'chai';
import { ApiClient } from '../support/api-client.js';
import { freePortRange } from '../support/ports.js';
import { ADMIN, startServer, type CallRecordJson, type ServerHandle } from '../support/server-process.js';
import { describeSipp, runSipp, SCENARIOS } from '../support/sipp.js';
import { testDatabaseUrl, testDbKind, type TestDatabaseUrl } from '../support/test-database.js';
import type { NoticeJson, NoticeReportJson } from '../../src/shared/wire/notices.js';

/** The welcome prompt lasts 5.8 s: a key at 7 s falls on the notice being read. */
const INTO_THE_NOTICE_MS = 7000;

/**
 * Notices (公告) end to end: published through the API, heard by a sipp caller after the welcome
 * (synthesised by espeak-ng), 1 pressed (RFC 2833): the server thanks the caller and hangs up, no order
 * is created, and the count is 1 through the reports API.
 */
describe(`notices, end to end (${testDbKind()})`, function () {
  this.timeout(90_000);
  let server: ServerHandle;
  let database: TestDatabaseUrl;
  let admin: ApiClient;
  let notice: NoticeJson;

  before(async () => {
    database = await testDatabaseUrl();
    server = await startServer({ DRAIN_TIMEOUT_S: '2' }, { databaseUrl: database.url });
    admin = await ApiClient.login(server.baseUrl, ADMIN.username, ADMIN.password);
  });

  after(async () => {
    await server.stop();
    await database.cleanup();
  });

  async function callSipp(scenario: string, key: string): Promise<CallRecordJson> {
    const mediaPort = await freePortRange(4);
    const result = await runSipp({ scenario, target: `127.0.0.1:${server.sipPort}`, mediaPort, timeoutS: 40, traceMessages: true, dtmf: key, pauseMs: INTO_THE_NOTICE_MS });
    expect(result.exitCode, `${describeSipp(result)}\n--- server ---\n${server.tail(30)}`).to.equal(0);
    const callId = /Call-ID:\s*(\S+)/i.exec(result.messages)?.[1] ?? '';
    return server.waitForCall((c) => c.callId === callId && c.endedAt !== null, 15_000);
  }

  /** The report of today, polled until `done` holds (hits reach the database through their spool). */
  async function reportUntil(done: (r: NoticeReportJson) => boolean): Promise<NoticeReportJson> {
    let last: NoticeReportJson | undefined;
    for (let i = 0; i < 50; i++) {
      const res = await admin.get('/api/v1/reports/notices');
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      last = res.body as NoticeReportJson;
      if (done(last)) return last;
      await new Promise((r) => setTimeout(r, 100));
    }
    return last ?? { from: '', to: '', days: [], notices: [] };
  }

  it('when a supervisor publishes a notice, it is listed as in force', async () => {
    const now = Date.now();
    const res = await admin.post('/api/v1/notices', {
      title: '河东区停水通知',
      text: '今天八时至十八时,河东区部分区域停水。',
      areas: ['河东区'],
      validFrom: new Date(now - 60_000).toISOString(),
      validTo: new Date(now + 2 * 3_600_000).toISOString(),
    });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    notice = res.body as NoticeJson;
    expect(res.raw.headers.get('location')).to.equal(`/api/v1/notices/${notice.id}`);
    const list = (await admin.get('/api/v1/notices')).body as { items: NoticeJson[] };
    expect(list.items.map((n) => [n.id, n.inForce])).to.deep.include([notice.id, true]);
  });

  it('when a bad notice is posted, it answers 400 naming the field', async () => {
    const res = await admin.post('/api/v1/notices', { title: '停电', text: '明天停电。', validFrom: '2026-12-03T08:00:00+08:00', validTo: 'soon' });
    expect(res.status).to.equal(400);
    expect(JSON.stringify(res.body)).to.match(/validTo/);
    const anonymous = await new ApiClient(server.baseUrl).post('/api/v1/notices', {});
    expect(anonymous.status).to.equal(401);
  });

  it('when a caller hears the notice and presses 1, the server thanks them and hangs up: no queue, no order, and the count is 1', async () => {
    const call = await callSipp(SCENARIOS.uacDtmf, '1');
    expect(call.ivrPath.split(','), server.tail(30)).to.deep.equal(['welcome', 'notices']);
    expect(call).to.include({ digits: '1', queue: null, hungUpBy: 'system' });
    const lines = server.logs().split('\n').filter((l) => l.includes(call.callId));
    expect(lines.some((l) => l.includes('ivr notices: caller pressed 1 for a notice')), 'the node saw the 1').to.equal(true);
    const tickets = (await admin.get('/api/v1/tickets')).body as { items: unknown[]; total?: number };
    expect(tickets.items, 'no order is created').to.deep.equal([]);
    const report = await reportUntil((r) => r.notices.length > 0);
    expect(report.notices).to.deep.equal([{ id: notice.id, title: '河东区停水通知', heard: 1, pressed: 1 }]);
    expect(report.days).to.have.length(1);
    expect(report.days[0]).to.include({ noticeId: notice.id, heard: 1, pressed: 1 });
  });

  it('when a caller presses 2 during the notice, the menu takes it (complaint queue) and the notice counts as heard only', async () => {
    const call = await callSipp(SCENARIOS.uacDtmfBye, '2');
    expect(call.ivrPath.split(',')).to.deep.equal(['welcome', 'notices', 'main-menu', 'complaint']);
    expect(call).to.include({ digits: '2', queue: 'complaint' });
    const report = await reportUntil((r) => (r.notices[0]?.heard ?? 0) >= 2);
    expect(report.notices).to.deep.equal([{ id: notice.id, title: '河东区停水通知', heard: 2, pressed: 1 }]);
  });

  it('when the notice is withdrawn, the next caller goes straight to the menu: a 1 at the same moment is 咨询, not the notice', async () => {
    const res = await admin.post(`/api/v1/notices/${notice.id}/withdraw`, {});
    expect(res.status).to.equal(200);
    expect(res.body).to.include({ status: 'withdrawn', inForce: false });
    const call = await callSipp(SCENARIOS.uacDtmfBye, '1');
    expect(call.ivrPath.split(',')).to.deep.equal(['welcome', 'notices', 'main-menu', 'consult']);
    expect(call).to.include({ digits: '1', queue: 'consult' });
    const report = await reportUntil(() => true);
    expect(report.notices).to.deep.equal([{ id: notice.id, title: '河东区停水通知', heard: 2, pressed: 1 }]);
  });
});
