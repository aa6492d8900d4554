import { expect } from 'chai';
import { RawSipClient, status } from '../unit/sip/raw-sip-client.js';
import { startServer, type ServerHandle } from '../support/server-process.js';
import { testDatabaseUrl, testDbKind, type TestDatabaseUrl } from '../support/test-database.js';

/**
 * Issue 9 item 2 over real UDP: one unauthenticated request with a 60 KB Authorization used to hold
 * the event loop ~5 s in the `sip` package's header regex. Now the request is refused 513 Message Too
 * Large before any regex sees the header, and the server keeps answering SIP and HTTP.
 */
describe(`an oversized SIP header over UDP (${testDbKind()})`, function () {
  this.timeout(60_000);
  let server: ServerHandle;
  let database: TestDatabaseUrl;
  let client: RawSipClient;

  before(async () => {
    database = await testDatabaseUrl();
    server = await startServer({}, { databaseUrl: database.url });
    client = await RawSipClient.udp(server.sipPort);
  });

  after(async () => {
    client.close();
    await server.stop();
    await database.cleanup();
  });

  const options = (callId: string, extra = ''): string =>
    `OPTIONS sip:12345@127.0.0.1:${server.sipPort} SIP/2.0\r\n` +
    `Via: SIP/2.0/UDP 127.0.0.1:${client.port};branch=z9hG4bK${callId};rport\r\n` +
    `From: <sip:attacker@127.0.0.1>;tag=a1\r\nTo: <sip:12345@127.0.0.1>\r\nCall-ID: ${callId}\r\nCSeq: 1 OPTIONS\r\n` +
    `${extra}Content-Length: 0\r\n\r\n`;

  it('when five 60 KB Authorization packets arrive, each gets 513 and an OPTIONS and /healthz right after are answered', async () => {
    for (let i = 0; i < 5; i++) {
      // No space in the value: the shape that made the package's auth regex rescan the rest at every position.
      const packet = options(`big-${i}`, `Authorization: ${'A'.repeat(60_000)}\r\n`);
      expect(Buffer.byteLength(packet)).to.be.greaterThan(60_000);
      client.send(packet);
    }
    client.send(options('after'));
    const [health, ok] = await Promise.all([
      fetch(`${server.baseUrl}/healthz`, { signal: AbortSignal.timeout(3000) }),
      client.next((m) => status(200, 'OPTIONS')(m) && m.headers['call-id'] === 'after', 3000),
    ]);
    expect(health.status).to.equal(200);
    expect(ok.status).to.equal(200);
    for (let i = 0; i < 5; i++) {
      const refusal = await client.next((m) => m.headers['call-id'] === `big-${i}`, 3000);
      expect(refusal.status).to.equal(513);
      expect(refusal.reason).to.equal('Message Too Large');
    }
  });
});
