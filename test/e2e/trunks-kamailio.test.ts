import { expect } from 'chai';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ApiClient } from '../support/api-client.js';
import { hasKamailio, startCarrierSbc, type CarrierSbc } from '../support/kamailio.js';
import { freePort } from '../support/ports.js';
import { ADMIN, startServer, type ServerHandle } from '../support/server-process.js';
import { describeSipp, runSipp, SCENARIOS, startSipp, type SippProcess } from '../support/sipp.js';
import { testDatabaseUrl, testDbKind, type TestDatabaseUrl } from '../support/test-database.js';

/** Tuesday 2026-12-01 10:00 in Shanghai: the order is taken then. */
const TAKEN_AT = Date.parse('2026-12-01T02:00:00Z');
/** Thursday 2026-12-10 11:00 in Shanghai: its sign deadline is days behind, within calling hours. */
const LATER = Date.parse('2026-12-10T03:00:00Z');
const SBC_IP = '127.0.0.2';
const CALLER_IP = '127.0.0.3';
const LIAISON_NUMBER = '01065120001';
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function metricsText(server: ServerHandle): Promise<string> {
  return (await fetch(`${server.baseUrl}/metrics`)).text();
}

/**
 * The hotline behind a real carrier SBC (Kamailio on 127.0.0.2, test/kamailio/carrier-sbc.cfg):
 * the server registers to it with digest, a resident's call (sipp on 127.0.0.3) reaches the IVR by
 * its DID through it, and a supervision call (督办) goes out through it (407, credentials) to the
 * liaison's phone (a sipp UAS behind it). A trunk with a wrong password shows as unregistered.
 */
describe(`trunks behind a Kamailio carrier SBC, end to end (${testDbKind()})`, function () {
  this.timeout(360_000);
  let database: TestDatabaseUrl;
  let sbc: CarrierSbc | undefined;
  let liaison: SippProcess | undefined;
  let server: ServerHandle | undefined;
  const env: Record<string, string> = {};
  let sbcPort = 0;
  let code = '';
  const offsetFor = (at: number): string => String(Math.round((at - Date.now()) / 1000));

  before(async function () {
    if (!hasKamailio()) {
      this.skip();
    }
    database = await testDatabaseUrl();
    const sipPort = await freePort('both');
    sbcPort = await freePort('udp');
    const liaisonPort = await freePort('udp');
    const dir = mkdtempSync(path.join(tmpdir(), 'trunks-kamailio-'));
    const trunksFile = path.join(dir, 'trunks.yaml');
    writeFileSync(
      trunksFile,
      `trunks:
  - name: carrier
    addresses: ["${SBC_IP}"]
    inbound:
      dids:
        "12345": IVR_FLOW
        "0936-12345": test/e2e/fixtures/did-flow.yaml
    outbound:
      proxy: sip:${SBC_IP}:${sbcPort}
      campaigns: [supervision, survey, callback]
      username: hotline-out
      password: out-secret
    registration:
      registrar: sip:${SBC_IP}:${sbcPort}
      username: hotline
      password: reg-secret
      expiresS: 120
  - name: carrier-wrong-password
    addresses: ["127.0.0.6"]
    registration:
      registrar: sip:${SBC_IP}:${sbcPort}
      username: hotline
      password: not-the-password
`,
    );
    sbc = await startCarrierSbc({
      listen: `${SBC_IP}:${sbcPort}`,
      hotline: { ip: '127.0.0.1', port: sipPort },
      residentUas: `127.0.0.1:${liaisonPort}`,
      register: { user: 'hotline', password: 'reg-secret' },
      outbound: { user: 'hotline-out', password: 'out-secret' },
    });
    liaison = await startSipp({ scenario: SCENARIOS.uasAnswer, localPort: liaisonPort, pauseMs: 2000, timeoutS: 120 });
    Object.assign(env, { SIP_PORT: String(sipPort), TRUNKS_FILE: trunksFile, DRAIN_TIMEOUT_S: '2', SUPERVISION_CRON: '0 0 1 1 *' });

    // Day one: an order for a unit whose liaison has a phone number only (so the call takes the trunk).
    const first = await startServer({ ...env, CLOCK_OFFSET_S: offsetFor(TAKEN_AT) }, { databaseUrl: database.url, readyTimeoutMs: 120_000 });
    try {
      const admin = await ApiClient.login(first.baseUrl, ADMIN.username, ADMIN.password);
      const units = (await admin.get('/api/v1/units')).body as { items: { id: number }[] };
      const unit = units.items[0];
      if (!unit) throw new Error('the seed has no unit');
      expect((await admin.request('PATCH', `/api/v1/units/${unit.id}`, { liaisonSipUri: null, liaisonPhone: LIAISON_NUMBER })).status).to.equal(200);
      const categories = (await admin.get('/api/v1/categories')).body as { items: { id: number; children?: unknown[] }[] };
      const res = await admin.post('/api/v1/tickets', {
        requestType: 'complaint',
        categoryId: firstLeaf(categories.items),
        content: '小区门口道路井盖缺失多日,存在安全隐患,请尽快处理。',
        address: '朝阳区某街道12号',
        residentPhone: '13900000001',
        handlingUnitId: unit.id,
      });
      expect(res.status, JSON.stringify(res.body)).to.equal(201);
      code = (res.body as { code: string }).code;
    } finally {
      await first.stop();
    }
    server = await startServer(
      { ...env, CLOCK_OFFSET_S: offsetFor(LATER), SUPERVISION_CRON: '*/2 * * * * *', CALLING_HOURS: '08:00-18:00', SUPERVISION_MAX_ATTEMPTS: '1', SUPERVISION_RING_TIMEOUT_S: '10' },
      { databaseUrl: database.url, readyTimeoutMs: 120_000 },
    );
  });

  after(async () => {
    await server?.stop();
    await liaison?.stop();
    await sbc?.stop();
    await database.cleanup();
  });

  it('when the trunk has a registration, the server registers to the carrier with digest and /metrics says so; a wrong password shows 0', async () => {
    const s = server!;
    const deadline = Date.now() + 20_000;
    let text = '';
    while (Date.now() < deadline) {
      text = await metricsText(s);
      if (/hotline_trunk_registered\{trunk="carrier"\} 1/.test(text) && /hotline_trunk_registered\{trunk="carrier-wrong-password"\} 0/.test(text)) break;
      await sleep(500);
    }
    expect(text).to.match(/^hotline_trunk_registered\{trunk="carrier"\} 1$/m);
    expect(text).to.match(/^hotline_trunk_registered\{trunk="carrier-wrong-password"\} 0$/m);
    const logs = sbc!.logs();
    expect(logs).to.match(/carrier: REGISTER from 127\.0\.0\.1 challenged/);
    expect(logs).to.match(/carrier: REGISTER authenticated for hotline from 127\.0\.0\.1/);
    expect(s.logs()).to.match(/trunk registration failed; retrying.*carrier-wrong-password/);
  });

  it('when a resident dials 0936-12345 through the carrier, the call reaches the IVR flow of that DID', async () => {
    const s = server!;
    const result = await runSipp({ scenario: SCENARIOS.uacByeEarly, target: `${SBC_IP}:${sbcPort}`, localIp: CALLER_IP, service: '0936-12345', timeoutS: 20 });
    expect(result.exitCode, `${describeSipp(result)}\n${sbc!.logs().slice(-2000)}`).to.equal(0);
    expect(sbc!.logs()).to.match(/carrier: inbound INVITE to 0936-12345 from 127\.0\.0\.3, relayed to the hotline/);
    const call = await s.waitForCall((c) => c.to === '0936-12345' && c.endedAt !== null);
    expect(call.ivrPath.split(',')[0]).to.equal('did-welcome');
    expect(call.endReason).to.equal('hangup');
  });

  it('when the same resident calls the server directly (not through the carrier), it gets 403', async () => {
    const result = await runSipp({ scenario: SCENARIOS.uacByeEarly, target: `127.0.0.1:${env.SIP_PORT ?? ''}`, localIp: CALLER_IP, service: '12345', timeoutS: 10, traceMessages: true });
    expect(result.exitCode).to.not.equal(0);
    expect(result.messages).to.match(/^SIP\/2\.0 403 Forbidden/m);
  });

  it('when an order is overdue, the supervision call goes out through the trunk: 407 answered with its credentials, the liaison answers behind the carrier', async () => {
    const s = server!;
    const admin = await ApiClient.login(s.baseUrl, ADMIN.username, ADMIN.password);
    const deadline = Date.now() + 90_000;
    let events: { type: string; data: Record<string, unknown> }[] = [];
    while (Date.now() < deadline) {
      events = ((await admin.get(`/api/v1/tickets/${code}`)).body as { events: typeof events }).events;
      if (events.some((e) => e.type === 'supervision-call')) break;
      await sleep(1000);
    }
    const attempt = events.find((e) => e.type === 'supervision-call');
    expect(attempt?.data, `${s.tail(30)}\n${sbc!.logs().slice(-2000)}`).to.include({ target: `tel:${LIAISON_NUMBER}` });
    expect(['acknowledged', 'not-acknowledged']).to.include(attempt?.data.result);
    const logs = sbc!.logs();
    expect(logs).to.match(new RegExp(`carrier: outbound INVITE to ${LIAISON_NUMBER} challenged`));
    expect(logs).to.match(new RegExp(`carrier: outbound INVITE to ${LIAISON_NUMBER} authenticated for hotline-out`));
    const uas = await liaison!.done;
    expect(uas.stats?.successful, describeSipp(uas)).to.equal(1);
  });
});

function firstLeaf(items: { id: number; children?: unknown[] }[]): number {
  for (const node of items) {
    if (!node.children || node.children.length === 0) return node.id;
    return firstLeaf(node.children as { id: number; children?: unknown[] }[]);
  }
  throw new Error('no category in the tree');
}
