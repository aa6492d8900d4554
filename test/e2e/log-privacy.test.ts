import { expect } from 'chai';
import { join } from 'node:path';
import { ApiClient } from '../support/api-client.js';
import { startBaresip } from '../support/baresip.js';
import { firstLeafCategory } from '../support/order-helpers.js';
import { ADMIN, startServer, type ServerHandle } from '../support/server-process.js';
import { testDatabaseUrl, testDbKind, type TestDatabaseUrl } from '../support/test-database.js';

const here = new URL('.', import.meta.url).pathname;

/**
 * Issue 9, item 7: a whole run's log holds no resident's number in full. Two calls (one leaves a
 * callback request), a work order with a resident and a liaison phone; then the log is searched
 * for every number used.
 */
describe(`no phone number in full in the log, end to end (${testDbKind()})`, function () {
  this.timeout(90_000);
  let server: ServerHandle;
  let database: TestDatabaseUrl;
  const CALLER = '13911112222';
  const CALLBACK_CALLER = '13722223333';
  const RESIDENT = '13655556666';
  const LIAISON = '01065559999';
  /** The hotline's full number as a carrier delivers it (the dialled number, To). */
  const DIALLED = '01088812345';

  before(async () => {
    database = await testDatabaseUrl();
    server = await startServer(
      { QUEUES_FILE: join(here, 'fixtures/queues.yaml'), IVR_FLOW: join(here, 'fixtures/agent-flow.yaml'), LOG_LEVEL: 'debug' },
      { databaseUrl: database.url },
    );
  });

  after(async () => {
    await server.stop();
    await database.cleanup();
  });

  it('when calls, a callback request and an order with residents\' numbers went through, the log shows them only masked', async () => {
    // A call to the full hotline number that hangs up in the IVR.
    const caller = await startBaresip({ account: { user: CALLER, register: false, answerMode: 'auto' } });
    try {
      await caller.dial(`sip:${DIALLED}@127.0.0.1:${server.sipPort}`);
      await caller.waitForEvent('CALL_ESTABLISHED', 10_000);
      await sleep(500);
      await caller.hangup();
      await caller.waitForEvent('CALL_CLOSED', 10_000);
    } finally {
      await caller.stop();
    }
    await server.waitForCall((c) => c.from === CALLER && c.endedAt !== null, 15_000);

    // A call to the queue nobody serves that accepts the callback offer (press 8, then 1).
    const second = await startBaresip({ account: { user: CALLBACK_CALLER, register: false, answerMode: 'auto' } });
    try {
      await second.dial(`sip:12345@127.0.0.1:${server.sipPort}`);
      await second.waitForEvent('CALL_ESTABLISHED', 10_000);
      await sleep(800);
      await second.sendDtmf('8');
      const state = { done: false };
      const closed = second.waitForEvent('CALL_CLOSED', 30_000).finally(() => (state.done = true));
      for (let i = 0; i < 25 && !isDone(state); i++) {
        await sleep(1000);
        if (!isDone(state)) await second.sendDtmf('1').catch(() => undefined);
      }
      await closed;
    } finally {
      await second.stop();
    }
    await server.waitForCall((c) => c.from === CALLBACK_CALLER && c.endedAt !== null, 15_000);

    // An order with the resident's phone and a liaison's landline.
    const admin = await ApiClient.login(server.baseUrl, ADMIN.username, ADMIN.password);
    const created = await admin.post('/api/v1/tickets', {
      requestType: 'complaint',
      categoryId: await firstLeafCategory(admin),
      content: `居民${RESIDENT}反映小区楼下餐馆油烟直排,联系人电话${LIAISON}。`,
      address: '朝阳区某小区5号楼',
      residentPhone: RESIDENT,
    });
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    const { code } = created.body as { code: string };

    const log = server.logs();
    expect(log, 'the calls were logged').to.include('139****2222').and.include('137****3333').and.include('010****2345');
    expect(log, 'a callback request was stored').to.match(/callback/i);
    for (const number of [CALLER, CALLBACK_CALLER, RESIDENT, LIAISON, DIALLED]) {
      const line = log.split('\n').find((l) => l.includes(number));
      expect(line, `a log line shows ${number} in full`).to.equal(undefined);
    }
    expect(code, 'ticket codes are not masked away').to.match(/^\d{8}-\d{6}$/);
  });
});

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Read through a function so the compiler does not narrow a flag that a callback sets. */
function isDone(state: { done: boolean }): boolean {
  return state.done;
}
