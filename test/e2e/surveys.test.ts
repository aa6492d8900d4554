import { expect } from 'chai';
import { ApiClient, DesktopClient } from '../support/api-client.js';
import { startBaresip, type Baresip, type BaresipEvent } from '../support/baresip.js';
import { getTicket, reviewedOrder, type TicketJson } from '../support/order-helpers.js';
import { ADMIN, startServer, type ServerHandle } from '../support/server-process.js';
import { testDatabaseUrl, testDbKind, type TestDatabaseUrl } from '../support/test-database.js';

/** Tuesday 2026-12-01 10:00 in Shanghai: within calling hours on a working day. */
const WORKING_MORNING = Date.parse('2026-12-01T02:00:00Z');

const SATISFIED = '13900000011';
const UNSATISFIED = '13900000012';
const DO_NOT_CALL = '13900000013';
const PREVIEW = '13900000014';

/**
 * 回访 end to end. The residents are one baresip with an account per number; the server reaches them
 * as a trunk (SIP_OUTBOUND_PROXY), as it would reach real phones through the carrier.
 */
describe(`satisfaction callbacks, end to end (${testDbKind()})`, function () {
  this.timeout(150_000);
  let database: TestDatabaseUrl;
  let residents: Baresip;
  let unitId: number;
  const codes: Record<string, string> = {};

  const env = (extra: Record<string, string>): Record<string, string> => ({
    CLOCK_OFFSET_S: String(Math.round((WORKING_MORNING - Date.now()) / 1000)),
    CALLING_HOURS: '08:00-20:00',
    SUPERVISION_CRON: '0 0 1 1 *',
    SIP_OUTBOUND_PROXY: `sip:127.0.0.1:${residents.sipPort}`,
    OUTBOUND_MAX_CONCURRENT: '1',
    ...extra,
  });

  before(async () => {
    database = await testDatabaseUrl();
    const resident = (user: string) => ({ user, register: false, answerMode: 'auto' as const });
    residents = await startBaresip({ account: resident(SATISFIED), moreAccounts: [resident(UNSATISFIED), resident(DO_NOT_CALL), resident(PREVIEW)] });
  });

  after(async () => {
    await residents.stop();
    await database.cleanup();
  });

  async function prepare(server: ServerHandle, phones: readonly string[], doNotCall: readonly string[] = []): Promise<ApiClient> {
    const admin = await ApiClient.login(server.baseUrl, ADMIN.username, ADMIN.password);
    const units = (await admin.get('/api/v1/units')).body as { items: { id: number }[] };
    unitId = units.items[0]?.id ?? 0;
    const username = `unit${String(phones.length)}${String(Date.now() % 100000)}`;
    expect((await admin.post('/api/v1/users', { username, password: 'unit-password-1', role: 'unit', unitId, displayName: '街道办联络员' })).status).to.equal(201);
    const unit = await ApiClient.login(server.baseUrl, username, 'unit-password-1');
    for (const phone of phones) codes[phone] = await reviewedOrder(admin, unit, unitId, phone, doNotCall.includes(phone) ? { doNotCall: true } : {});
    return admin;
  }

  it('when the survey job calls, 1 then 1 closes the order, 1 then 3 reopens it, and a do-not-call order is never dialled', async () => {
    const server = await startServer(env({ SURVEY_CRON: '*/2 * * * * *', SURVEY_RETRY_MIN: '0.05' }), { databaseUrl: database.url });
    try {
      const mark = residents.mark();
      // Answer each call with the keys of the number it was placed to.
      const keys: Record<string, [string, string]> = { [SATISFIED]: ['1', '1'], [UNSATISFIED]: ['1', '3'] };
      const answered: string[] = [];
      const onCall = async (e: BaresipEvent): Promise<void> => {
        const number = /sip:(\d+)@/.exec(e.accountaor ?? '')?.[1] ?? '';
        answered.push(number);
        const [first, second] = keys[number] ?? ['9', '9'];
        // Key presses go to the call of baresip's current account: make it the one that was called.
        await residents.command('uafind', e.accountaor ?? '').catch(() => undefined);
        await sleep(1500);
        await residents.sendDtmf(first).catch(() => undefined);
        await sleep(1500);
        await residents.sendDtmf(second).catch(() => undefined);
      };
      const admin = await prepare(server, [SATISFIED, UNSATISFIED, DO_NOT_CALL], [DO_NOT_CALL]);
      for (let seen = mark, round = 0; round < 2; round++) {
        const established = await residents.waitForEvent('CALL_ESTABLISHED', 40_000, seen);
        seen = residents.events.indexOf(established) + 1;
        await onCall(established);
        await residents.waitForEvent('CALL_CLOSED', 40_000, seen).catch((err: unknown) => {
          throw new Error(`${String(err)}\n${server.tail(40)}`);
        });
      }
      expect(answered.sort()).to.deep.equal([SATISFIED, UNSATISFIED]);

      const closed = await waitFor(admin, codes[SATISFIED] ?? '', (t) => t.state === 'closed');
      expect(closed).to.include({ satisfaction: 'satisfied', resolution: 'resolved' });
      const reopened = await waitFor(admin, codes[UNSATISFIED] ?? '', (t) => t.events.some((e) => e.type === 'reopened'));
      expect(reopened).to.include({ state: 'dispatched', reopenCount: 1 });
      // Each answered survey call is a call record: outbound, to the resident, with the keys pressed.
      for (const [phone, pressed] of [[SATISFIED, '11'], [UNSATISFIED, '13']] as const) {
        const record = await server.waitForCall((c) => c.direction === 'outbound' && c.to === phone && c.endedAt !== null, 10_000);
        expect(record).to.include({ from: '12345', digits: pressed });
        expect(record.answeredAt).to.be.a('string');
        expect(record.ivrPath.split(',').length).to.be.greaterThan(2);
      }

      await sleep(6000);
      const skipped = await getTicket(admin, codes[DO_NOT_CALL] ?? '');
      expect(skipped.state).to.equal('reviewed');
      expect(skipped.events.map((e) => e.type)).to.not.include('survey-call');
      expect(residents.events.slice(mark).filter((e) => e.type === 'CALL_ESTABLISHED')).to.have.length(2);
    } finally {
      await server.stop();
    }
  });

  it('when a callback agent takes a survey task and dials, the server bridges its softphone to the resident and the agent records the result', async () => {
    const server = await startServer(env({ SURVEY_CRON: '0 0 1 1 *' }), { databaseUrl: database.url });
    try {
      const admin = await prepare(server, [PREVIEW]);
      expect((await admin.post('/api/v1/agents', { username: 'huifang1', password: 'pass-8101', extension: '8101', skills: ['callback'] })).status).to.equal(201);
      // The agent's softphone registers with the extension just created.
      const phone = await startBaresip({ account: { user: '8101', password: 'pass-8101', registrar: `127.0.0.1:${server.sipPort}`, register: true, answerMode: 'auto' } });
      try {
        await waitUntil(() => server.logs().includes('"extension":"8101"'));
        const agent = await ApiClient.login(server.baseUrl, 'huifang1', 'pass-8101');
        const desk = await DesktopClient.connect(server.baseUrl, agent.bearer);
        desk.send({ type: 'ready' });
        await desk.waitFor((f) => f.type === 'state' && f.state === 'ready').catch((err: unknown) => {
          throw new Error(`${String(err)}\n${server.tail(30)}`);
        });
        desk.send({ type: 'next-task' });
        const task = await desk.waitFor((f) => f.type === 'task');
        const ticket = task.ticket as { code: string; residentPhone: string };
        expect(ticket).to.include({ code: codes[PREVIEW], residentPhone: PREVIEW });
        const mark = residents.mark();
        desk.send({ type: 'dial', taskId: task.taskId });
        await desk.waitFor((f) => f.type === 'connected', 20_000);
        await residents.waitForEvent('CALL_ESTABLISHED', 10_000, mark);
        await sleep(1500);
        desk.send({ type: 'hangup' });
        await desk.waitFor((f) => f.type === 'ended', 10_000);
        const { version } = await getTicket(admin, ticket.code);
        const result = await agent.post(`/api/v1/surveys/${ticket.code}/result`, { version, satisfaction: 'basically', resolution: 'partly' });
        expect(result.status, JSON.stringify(result.body)).to.equal(200);
        expect(await getTicket(admin, ticket.code)).to.include({ state: 'closed', satisfaction: 'basically', resolution: 'partly' });
        desk.close();
      } finally {
        await phone.stop();
      }
    } finally {
      await server.stop();
    }
  });

  async function waitFor(api: ApiClient, code: string, ok: (t: TicketJson) => boolean): Promise<TicketJson> {
    let last: TicketJson | undefined;
    for (let i = 0; i < 60; i++) {
      last = await getTicket(api, code);
      if (ok(last)) return last;
      await sleep(500);
    }
    throw new Error(`order ${code} never matched: ${JSON.stringify(last)}`);
  }
});

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function waitUntil(check: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !check(); i++) await sleep(100);
  if (!check()) throw new Error('condition not met in time');
}
