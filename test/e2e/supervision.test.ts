import { expect } from 'chai';
import { ApiClient } from '../support/api-client.js';
import { startBaresip, type Baresip } from '../support/baresip.js';
import { ADMIN, startServer, type ServerHandle } from '../support/server-process.js';
import { testDatabaseUrl, testDbKind, type TestDatabaseUrl } from '../support/test-database.js';

/** Tuesday 2026-12-01 10:00 in Shanghai: the orders are taken then. */
const TAKEN_AT = Date.parse('2026-12-01T02:00:00Z');
/** Thursday 2026-12-10 11:00 in Shanghai: the sign deadline (12-02 10:00) is 6 working days behind. */
const LATER = Date.parse('2026-12-10T03:00:00Z');

interface TicketJson {
  code: string;
  events: { type: string; data: Record<string, unknown> }[];
}

/**
 * 督办 end to end: orders made overdue by the clock (the server restarted CLOCK_OFFSET_S later), the job
 * calls the unit's liaison (a baresip) who presses 1; a liaison who never answers is retried the
 * configured number of times and no more; outside calling hours no call is placed.
 */
describe(`automatic supervision calls, end to end (${testDbKind()})`, function () {
  this.timeout(120_000);
  let database: TestDatabaseUrl;
  let answering: Baresip;
  let silent: Baresip;
  const codes: { acked: string; unanswered: string } = { acked: '', unanswered: '' };

  let lastServer: ServerHandle | undefined;
  const offsetFor = (at: number): string => String(Math.round((at - Date.now()) / 1000));

  before(async () => {
    database = await testDatabaseUrl();
    answering = await startBaresip({ account: { user: 'liaison1', register: false, answerMode: 'auto' } });
    silent = await startBaresip({ account: { user: 'liaison2', register: false, answerMode: 'manual' } });

    // Day one: two orders dispatched to two units whose liaisons are the two phones.
    const server = await startServer({ CLOCK_OFFSET_S: offsetFor(TAKEN_AT), SUPERVISION_CRON: '0 0 1 1 *' }, { databaseUrl: database.url });
    lastServer = server;
    try {
      const admin = await ApiClient.login(server.baseUrl, ADMIN.username, ADMIN.password);
      const units = (await admin.get('/api/v1/units')).body as { items: { id: number }[] };
      const [u1, u2] = units.items;
      if (!u1 || !u2) throw new Error('the seed has fewer than two units');
      expect((await admin.request('PATCH', `/api/v1/units/${u1.id}`, { liaisonSipUri: answering.uri('liaison1') })).status).to.equal(200);
      expect((await admin.request('PATCH', `/api/v1/units/${u2.id}`, { liaisonSipUri: silent.uri('liaison2') })).status).to.equal(200);
      codes.acked = await order(admin, u1.id, '13900000001');
      codes.unanswered = await order(admin, u2.id, '13900000002');
    } finally {
      await server.stop();
    }
  });

  after(async () => {
    await answering.stop();
    await silent.stop();
    await database.cleanup();
  });

  async function order(admin: ApiClient, unitId: number, phone: string): Promise<string> {
    const tree = (await admin.get('/api/v1/categories')).body as { items?: { id: number; children?: unknown[] }[] } | { id: number; children?: unknown[] }[];
    const categoryId = firstLeaf(tree);
    const res = await admin.post('/api/v1/tickets', {
      requestType: 'complaint',
      categoryId,
      content: '小区门口道路井盖缺失多日,存在安全隐患,请尽快处理。',
      address: '朝阳区某街道12号',
      residentPhone: phone,
      handlingUnitId: unitId,
    });
    expect(res.status, `${JSON.stringify(res.body)}\n${lastServer?.tail(15) ?? ''}`).to.equal(201);
    return (res.body as { code: string }).code;
  }

  async function ticket(server: ServerHandle, code: string): Promise<TicketJson> {
    const admin = await ApiClient.login(server.baseUrl, ADMIN.username, ADMIN.password);
    return (await admin.get(`/api/v1/tickets/${code}`)).body as TicketJson;
  }

  it('when the orders are overdue but it is outside calling hours, no call is placed', async () => {
    const mark = answering.mark();
    const server = await startServer(
      { CLOCK_OFFSET_S: offsetFor(LATER), SUPERVISION_CRON: '*/2 * * * * *', CALLING_HOURS: '00:00-01:00' },
      { databaseUrl: database.url },
    );
    try {
      await sleep(7000);
      expect(answering.events.slice(mark).map((e) => e.type)).to.not.include('CALL_ESTABLISHED');
      const t = await ticket(server, codes.acked);
      expect(t.events.map((e) => e.type)).to.not.include('supervision-call');
    } finally {
      await server.stop();
    }
  });

  it('when an order is overdue, the liaison is called, presses 1, and the acknowledgement and escalation are on the order; an unanswered liaison is tried twice and no more', async () => {
    // Marked before the start: the first sweep can call and be answered before startServer returns
    // (CI saw the call answered 55 ms after the start, and the wait after it got no event at all).
    const mark = answering.mark();
    const server = await startServer(
      {
        CLOCK_OFFSET_S: offsetFor(LATER),
        SUPERVISION_CRON: '*/2 * * * * *',
        CALLING_HOURS: '08:00-18:00',
        SUPERVISION_MAX_ATTEMPTS: '2',
        SUPERVISION_RETRY_MIN: '0.05',
        SUPERVISION_RING_TIMEOUT_S: '5',
      },
      { databaseUrl: database.url },
    );
    try {
      await answering.waitForEvent('CALL_ESTABLISHED', 30_000, mark).catch((err: unknown) => {
        throw new Error(`${err instanceof Error ? err.message : String(err)}\nserver log:\n${server.tail(60)}\nbaresip:\n${answering.tail(30)}`);
      });
      // The prompt reads the code digit by digit before it asks: press 1 until the server hangs up.
      const closed = answering.waitForEvent('CALL_CLOSED', 45_000, mark);
      const state = { done: false };
      void closed.finally(() => (state.done = true));
      for (let i = 0; i < 40 && !isDone(state); i++) {
        await sleep(1000);
        if (!isDone(state)) await answering.sendDtmf('1').catch(() => undefined);
      }
      await closed;

      const acked = await waitForTicket(server, codes.acked, (t) => t.events.some((e) => e.type === 'supervision-acknowledged'));
      const call = acked.events.find((e) => e.type === 'supervision-call');
      expect(call?.data).to.include({ result: 'acknowledged', step: 'sign', attempt: 1 });
      expect(acked.events.map((e) => e.type)).to.include('escalated');

      // The silent liaison: ring 5 s, no answer, 3 s gap, again, then never again.
      const unanswered = await waitForTicket(server, codes.unanswered, (t) => t.events.filter((e) => e.type === 'supervision-call').length >= 2, 40_000);
      await sleep(10_000);
      const again = await ticket(server, codes.unanswered);
      const attempts = again.events.filter((e) => e.type === 'supervision-call');
      expect(attempts).to.have.length(2);
      expect(attempts.map((e) => e.data.result)).to.deep.equal(['no-answer', 'no-answer']);
      expect(unanswered.events.map((e) => e.type)).to.not.include('supervision-acknowledged');

      // Acknowledged: not called again for the same overdue step.
      const after = await ticket(server, codes.acked);
      expect(after.events.filter((e) => e.type === 'supervision-call')).to.have.length(1);
    } finally {
      await server.stop();
    }
  });

  async function waitForTicket(server: ServerHandle, code: string, ok: (t: TicketJson) => boolean, timeoutMs = 20_000): Promise<TicketJson> {
    const deadline = Date.now() + timeoutMs;
    let last: TicketJson | undefined;
    while (Date.now() < deadline) {
      last = await ticket(server, code);
      if (ok(last)) return last;
      await sleep(500);
    }
    throw new Error(`ticket ${code} never matched; events: ${JSON.stringify(last?.events.map((e) => [e.type, e.data]))}\n${server.tail(40)}`);
  }
});

function firstLeaf(tree: unknown): number {
  const items = (Array.isArray(tree) ? tree : ((tree as { items?: unknown[] }).items ?? [])) as { id: number; children?: unknown[] }[];
  for (const node of items) {
    if (!node.children || node.children.length === 0) return node.id;
    return firstLeaf(node.children);
  }
  throw new Error('no category in the tree');
}

function isDone(state: { done: boolean }): boolean {
  return state.done;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
