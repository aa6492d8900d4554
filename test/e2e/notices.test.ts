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
    notice = await publish('河东区停水通知');
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

  /** Today's counts of one notice (heard, pressed). */
  async function countsOf(id: number): Promise<{ heard: number; pressed: number }> {
    const res = await admin.get('/api/v1/reports/notices');
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    const n = (res.body as NoticeReportJson).notices.find((x) => x.id === id);
    return { heard: n?.heard ?? 0, pressed: n?.pressed ?? 0 };
  }

  /** Polls today's counts of `id` until they equal `want` (hits reach the database through their spool). */
  async function countsBecome(id: number, want: { heard: number; pressed: number }): Promise<{ heard: number; pressed: number }> {
    let last = await countsOf(id);
    for (let i = 0; i < 50 && (last.heard !== want.heard || last.pressed !== want.pressed); i++) {
      await new Promise((r) => setTimeout(r, 100));
      last = await countsOf(id);
    }
    return last;
  }

  async function publish(title: string): Promise<NoticeJson> {
    const now = Date.now();
    const res = await admin.post('/api/v1/notices', {
      title,
      text: '今天八时至十八时,河东区部分区域停水。',
      areas: ['河东区'],
      validFrom: new Date(now - 60_000).toISOString(),
      validTo: new Date(now + 2 * 3_600_000).toISOString(),
    });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    expect(res.raw.headers.get('location')).to.equal(`/api/v1/notices/${(res.body as NoticeJson).id}`);
    return res.body as NoticeJson;
  }

  it('when a supervisor has published a notice, it is listed as in force', async () => {
    const list = (await admin.get('/api/v1/notices')).body as { items: NoticeJson[] };
    expect(list.items.map((n) => [n.id, n.title, n.inForce])).to.deep.include([notice.id, '河东区停水通知', true]);
  });

  it('when a bad notice is posted, it answers 400 naming the field; without a token 401', async () => {
    const res = await admin.post('/api/v1/notices', { title: '停电', text: '明天停电。', validFrom: '2026-12-03T08:00:00+08:00', validTo: 'soon' });
    expect(res.status).to.equal(400);
    expect(JSON.stringify(res.body)).to.match(/validTo/);
    const anonymous = await new ApiClient(server.baseUrl).post('/api/v1/notices', {});
    expect(anonymous.status).to.equal(401);
  });

  it('when a caller hears the notice and presses 1, the server thanks them and hangs up: no queue, no order, and the call counts once', async () => {
    const before = await countsOf(notice.id);
    const ordersBefore = ((await admin.get('/api/v1/tickets')).body as { items: unknown[] }).items.length;
    const call = await callSipp(SCENARIOS.uacDtmf, '1');
    expect(call.ivrPath.split(','), server.tail(30)).to.deep.equal(['welcome', 'notices']);
    expect(call).to.include({ digits: '1', queue: null, hungUpBy: 'system' });
    const lines = server.logs().split('\n').filter((l) => l.includes(call.callId));
    expect(lines.some((l) => l.includes('ivr notices: caller pressed 1 for a notice')), 'the node saw the 1').to.equal(true);
    const ordersAfter = ((await admin.get('/api/v1/tickets')).body as { items: unknown[] }).items.length;
    expect(ordersAfter, 'no order is created').to.equal(ordersBefore);
    expect(await countsBecome(notice.id, { heard: before.heard + 1, pressed: before.pressed + 1 })).to.deep.equal({ heard: before.heard + 1, pressed: before.pressed + 1 });
    const days = ((await admin.get('/api/v1/reports/notices')).body as NoticeReportJson).days.filter((d) => d.noticeId === notice.id);
    expect(days, 'one row: today').to.have.length(1);
  });

  it('when a caller presses 2 during the notice, the menu takes it (complaint queue) and the notice counts as heard only', async () => {
    const before = await countsOf(notice.id);
    const call = await callSipp(SCENARIOS.uacDtmfBye, '2');
    expect(call.ivrPath.split(',')).to.deep.equal(['welcome', 'notices', 'main-menu', 'complaint']);
    expect(call).to.include({ digits: '2', queue: 'complaint' });
    expect(await countsBecome(notice.id, { heard: before.heard + 1, pressed: before.pressed })).to.deep.equal({ heard: before.heard + 1, pressed: before.pressed });
  });

  it('when a notice is withdrawn, callers no longer hear it (the one still in force they do)', async () => {
    const roadworks = await publish('解放路封闭施工');
    const res = await admin.post(`/api/v1/notices/${roadworks.id}/withdraw`, {});
    expect(res.status).to.equal(200);
    expect(res.body).to.include({ status: 'withdrawn', inForce: false });
    const before = await countsOf(notice.id);
    const call = await callSipp(SCENARIOS.uacDtmfBye, '2');
    expect(call.ivrPath.split(',')).to.deep.equal(['welcome', 'notices', 'main-menu', 'complaint']);
    expect(await countsBecome(notice.id, { heard: before.heard + 1, pressed: before.pressed })).to.deep.equal({ heard: before.heard + 1, pressed: before.pressed });
    expect(await countsOf(roadworks.id)).to.deep.equal({ heard: 0, pressed: 0 });
  });
});
