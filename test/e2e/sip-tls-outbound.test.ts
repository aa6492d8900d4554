import { expect } from 'chai';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ApiClient } from '../support/api-client.js';
import { startBaresip, type Baresip } from '../support/baresip.js';
import { getTicket, reviewedOrder, type TicketJson } from '../support/order-helpers.js';
import { freePort } from '../support/ports.js';
import { selfSignedCertificate } from '../support/self-signed.js';
import { ADMIN, startServer, type ServerHandle } from '../support/server-process.js';
import { testDatabaseUrl, testDbKind, type TestDatabaseUrl } from '../support/test-database.js';
import { readWav, rmsPerChannel } from '../support/wav.js';

/** Tuesday 2026-12-01 10:00 in Shanghai: within calling hours on a working day. */
const WORKING_MORNING = Date.parse('2026-12-01T02:00:00Z');
const RESIDENT = '13900000021';

const REFUSED_LINE = /"message":"sip tls: certificate of the peer refused, not connecting"[^\n]*/;

/**
 * SIP over TLS toward a carrier with a private CA (SIP_TLS_CA). The carrier is a baresip listening for
 * TLS only on the port the server is sent to (baresip's sip_listen port + 1, with `sip_certificate`), with
 * a self-signed certificate for 127.0.0.1; the server reaches it as its trunk (SIP_OUTBOUND_PROXY
 * `;transport=tls`) when the survey job calls a resident, as it would reach real phones through the carrier.
 */
describe(`SIP over TLS toward a trunk with a private CA (SIP_TLS_CA), end to end (${testDbKind()})`, function () {
  this.timeout(60_000);
  let carrier: Baresip;
  let carrierCert: { cert: string; key: string };
  let own: { cert: string; key: string };
  let carrierTlsPort: number;
  let database: TestDatabaseUrl | undefined;
  let server: ServerHandle | undefined;

  before(async () => {
    own = selfSignedCertificate();
    carrierCert = selfSignedCertificate();
    // baresip wants the certificate and its key in one PEM file.
    const combined = path.join(mkdtempSync(path.join(tmpdir(), 'carrier-tls-')), 'carrier.pem');
    writeFileSync(combined, readFileSync(carrierCert.cert, 'utf8') + readFileSync(carrierCert.key, 'utf8'));
    carrier = await startBaresip({ account: { user: RESIDENT, register: false, answerMode: 'auto' }, extraConfig: [`sip_certificate ${combined}`], sipTrace: true, lifetimeS: 120 });
    carrierTlsPort = carrier.sipPort + 1;
  });

  after(async () => {
    await carrier.stop();
  });

  beforeEach(async () => {
    database = await testDatabaseUrl();
  });

  afterEach(async () => {
    await server?.stop();
    server = undefined;
    await database?.cleanup();
    database = undefined;
  });

  async function start(extra: Record<string, string>): Promise<ServerHandle> {
    if (database === undefined) throw new Error('no database');
    server = await startServer(
      {
        CLOCK_OFFSET_S: String(Math.round((WORKING_MORNING - Date.now()) / 1000)),
        CALLING_HOURS: '08:00-20:00',
        SUPERVISION_CRON: '0 0 1 1 *',
        SURVEY_CRON: '*/1 * * * * *',
        SURVEY_RETRY_MIN: '60',
        SIP_OUTBOUND_PROXY: `sip:127.0.0.1:${carrierTlsPort};transport=tls`,
        OUTBOUND_MAX_CONCURRENT: '1',
        // Our own certificate: the TLS transport (in and out) exists only with one (SIP_TLS_CERT/KEY).
        SIP_TLS_CERT: own.cert,
        SIP_TLS_KEY: own.key,
        SIP_TLS_PORT: String(await freePort('tcp')),
        DRAIN_TIMEOUT_S: '1',
        ...extra,
      },
      { databaseUrl: database.url },
    );
    return server;
  }

  /** An order for RESIDENT ready for its survey call. */
  async function prepare(handle: ServerHandle): Promise<{ admin: ApiClient; code: string }> {
    const admin = await ApiClient.login(handle.baseUrl, ADMIN.username, ADMIN.password);
    const units = (await admin.get('/api/v1/units')).body as { items: { id: number }[] };
    const unitId = units.items[0]?.id ?? 0;
    expect((await admin.post('/api/v1/users', { username: 'unit-tls', password: 'unit-password-1', role: 'unit', unitId, displayName: '街道办联络员' })).status).to.equal(201);
    const unit = await ApiClient.login(handle.baseUrl, 'unit-tls', 'unit-password-1');
    return { admin, code: await reviewedOrder(admin, unit, unitId, RESIDENT) };
  }

  const diagnostics = (handle: ServerHandle): string => `\nserver log:\n${handle.tail(40)}\ncarrier (baresip):\n${carrier.tail(20)}`;

  it('when SIP_TLS_CA is the carrier certificate, the survey call reaches the carrier over TLS and is answered', async () => {
    // Marked before the start: the first survey sweep may call before startServer() returns.
    const mark = carrier.mark();
    const traced = carrier.logs().length;
    const handle = await start({ SIP_TLS_CA: carrierCert.cert, SIP_TLS_VERIFY_SERVER: 'true' });
    await prepare(handle);
    const established = await carrier.waitForEvent('CALL_ESTABLISHED', 30_000, mark).catch((err: unknown) => {
      throw new Error(`${err instanceof Error ? err.message : String(err)}${diagnostics(handle)}`);
    });
    expect(established.accountaor).to.equal(`sip:${RESIDENT}@127.0.0.1`);
    expect(established.direction).to.equal('incoming');
    // baresip's SIP trace (-s) names the transport each message came in on: the INVITE arrived over TLS,
    // on the TLS port, with a TLS Via.
    const trace = carrier.logs().slice(traced);
    expect(trace, diagnostics(handle)).to.match(new RegExp(`TLS 127\\.0\\.0\\.1:\\d+ -> 127\\.0\\.0\\.1:${carrierTlsPort}\\s+INVITE sip:${RESIDENT}@127\\.0\\.0\\.1 SIP/2\\.0\\s+Via: SIP/2\\.0/TLS `));
    expect(handle.logs()).not.to.match(REFUSED_LINE);
  });

  it('when the carrier does best-effort SRTP (SDES) and SRTP_SDES is offer (the default), the survey call over TLS runs SRTP and the carrier decrypts the survey prompt', async () => {
    // A second carrier, the same but with baresip's srtp (RTP/AVP + a=crypto): our offer over TLS carries
    // a key, it answers with its own, and media both ways is SRTP.
    const combined = path.join(mkdtempSync(path.join(tmpdir(), 'carrier-srtp-')), 'carrier.pem');
    writeFileSync(combined, readFileSync(carrierCert.cert, 'utf8') + readFileSync(carrierCert.key, 'utf8'));
    const srtpCarrier = await startBaresip({
      account: { user: RESIDENT, register: false, answerMode: 'auto', mediaenc: 'srtp', codecs: 'PCMU,PCMA' },
      extraConfig: [`sip_certificate ${combined}`],
      lifetimeS: 120,
    });
    try {
      const mark = srtpCarrier.mark();
      const handle = await start({ SIP_TLS_CA: carrierCert.cert, SIP_OUTBOUND_PROXY: `sip:127.0.0.1:${srtpCarrier.sipPort + 1};transport=tls` });
      await prepare(handle);
      await srtpCarrier.waitForEvent('CALL_ESTABLISHED', 30_000, mark).catch((err: unknown) => {
        throw new Error(`${err instanceof Error ? err.message : String(err)}\nserver log:\n${handle.tail(40)}\ncarrier:\n${srtpCarrier.tail(20)}`);
      });
      // baresip negotiated SDES (its CALL_MENC event names the suite); 4 s of the survey prompt, then the resident hangs up.
      expect(srtpCarrier.events.slice(mark).map((e) => `${e.type}(${e.param ?? ''})`)).to.include('CALL_MENC(0,audio,AES_CM_128_HMAC_SHA1_80)');
      await new Promise((resolve) => setTimeout(resolve, 4000));
      await srtpCarrier.hangup();
      await srtpCarrier.waitForEvent('CALL_CLOSED', 10_000, mark);
      expect(handle.logs(), 'the outbound leg ran SRTP').to.include('"message":"SRTP (SDES) media"');
      const heard = srtpCarrier.recordings('dec');
      const [level] = rmsPerChannel(readWav(heard[heard.length - 1] ?? ''));
      expect(level ?? 0, 'energy of the survey prompt the carrier decrypted').to.be.above(0.01);
    } finally {
      await srtpCarrier.stop();
    }
  });

  it('when verification is on and SIP_TLS_CA is not set, no call reaches the carrier, the log names the refused certificate and the peer, and the survey attempt is recorded as failed', async () => {
    const mark = carrier.mark();
    const traced = carrier.logs().length;
    const handle = await start({ SIP_TLS_VERIFY_SERVER: 'true' });
    const { admin, code } = await prepare(handle);
    const attempted = await waitForOrder(admin, code, (t) => t.events.some((e) => e.type === 'survey-call')).catch((err: unknown) => {
      throw new Error(`${err instanceof Error ? err.message : String(err)}${diagnostics(handle)}`);
    });
    const refused = REFUSED_LINE.exec(handle.logs())?.[0] ?? '';
    expect(refused, diagnostics(handle)).to.include(`"peer":"127.0.0.1:${carrierTlsPort}"`);
    expect(refused).to.match(/"reason":"DEPTH_ZERO_SELF_SIGNED_CERT: self-signed certificate"/);
    const attempt = attempted.events.find((e) => e.type === 'survey-call');
    expect(attempt?.data, JSON.stringify(attempt)).to.include({ result: 'failed' });
    // The attempt failed before any INVITE went out: the carrier saw no call at all.
    const calls = carrier.events.slice(mark).filter((e) => e.type === 'CALL_INCOMING');
    expect(calls).to.deep.equal([]);
    expect(carrier.logs().slice(traced)).not.to.include('INVITE sip:');
  });

  it('when SIP_TLS_CA names a file that does not exist, the server refuses to start naming SIP_TLS_CA and the path', async () => {
    const missing = path.join(tmpdir(), 'no-such-dir-for-ca', 'carrier-ca.pem');
    const err: unknown = await start({ SIP_TLS_CA: missing }).then(
      () => new Error('the server started'),
      (e: unknown) => e,
    );
    expect(err instanceof Error ? err.message : String(err)).to.match(/server exited with 1 before \/healthz was ready/).and.to.include(`SIP_TLS_CA: cannot read ${missing}: ENOENT`);
  });
});

async function waitForOrder(api: ApiClient, code: string, ok: (t: TicketJson) => boolean, timeoutMs = 20_000): Promise<TicketJson> {
  const deadline = Date.now() + timeoutMs;
  let last: TicketJson | undefined;
  while (Date.now() < deadline) {
    last = await getTicket(api, code);
    if (ok(last)) return last;
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  throw new Error(`order ${code} never matched: ${JSON.stringify(last?.events)}`);
}
