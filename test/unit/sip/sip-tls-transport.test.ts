import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { connect } from 'node:tls';
import { Registry } from 'prom-client';
import { WebSocket } from 'ws';
import { createHttpServer, type WebServer } from '../../../src/api/http-server.js';
import { silentLogger } from '../../../src/logging/logger.js';
import type { SipRequest } from '../../../src/sip/sip-message.js';
import { SipTransport } from '../../../src/sip/sip-transport.js';
import { DEFAULT_TCP_LIMITS } from '../../../src/sip/tcp-transport.js';
import { DEFAULT_WS_LIMITS } from '../../../src/sip/ws-transport.js';
import { MemoryCallRecords } from '../../support/memory-call-records.js';
import { selfSignedCertificate } from '../../support/self-signed.js';

const options = (via: string): string =>
  `OPTIONS sip:12345@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/${via};branch=z9hG4bKt1\r\n` +
  'From: <sip:a@127.0.0.1>;tag=1\r\nTo: <sip:12345@127.0.0.1>\r\nCall-ID: tls1\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n';

/** SIP over TLS on its own port, and wss:// for /sip when the HTTP server has a certificate (Node's TLS both). */
describe('SIP over TLS and secure WebSocket', function () {
  this.timeout(20_000);
  let files: { cert: string; key: string };
  let transport: SipTransport;
  let web: WebServer | undefined;

  before(() => {
    files = selfSignedCertificate();
  });

  afterEach(async () => {
    transport.close();
    await web?.close();
    web = undefined;
  });

  const firstRequest = (): Promise<SipRequest> => new Promise((resolve) => transport.events.once('request', resolve));

  it('when a client sends over TLS to SIP_TLS_PORT, the request arrives from a tls source and the response goes back over that connection', async () => {
    const tls = { cert: readFileSync(files.cert), key: readFileSync(files.key), verifyServer: false };
    transport = new SipTransport('127.0.0.1', 0, silentLogger(), DEFAULT_TCP_LIMITS, Date.now, DEFAULT_WS_LIMITS, { port: 0, settings: tls });
    await transport.start();
    expect(transport.tlsPort).to.be.above(0);
    expect(transport.portFor('tls')).to.equal(transport.tlsPort);
    const socket = connect({ host: '127.0.0.1', port: transport.tlsPort, ca: readFileSync(files.cert) });
    await new Promise<void>((resolve, reject) => socket.once('secureConnect', resolve).once('error', reject));
    const arrived = firstRequest();
    socket.write(options('TLS 127.0.0.1:5999'));
    const req = await arrived;
    expect(req.source.transport).to.equal('tls');
    const reply = new Promise<string>((resolve) => socket.once('data', (d: Buffer) => { resolve(d.toString()); }));
    await transport.sendResponse(req, { status: 200, reason: 'OK', version: '2.0', headers: { via: req.via, from: req.from, to: req.to, 'call-id': req.callId, cseq: req.cseq } });
    expect(await reply).to.match(/^SIP\/2\.0 200 OK\r\n/);
    socket.destroy();
  });

  it('when the HTTP server has a certificate, /sip is served as wss:// and its clients are wss', async () => {
    transport = new SipTransport('127.0.0.1', 0, silentLogger());
    await transport.start();
    web = await createHttpServer({
      callRecords: new MemoryCallRecords(),
      health: () => Promise.resolve({ sip: true, database: true }),
      metrics: new Registry(),
      logger: silentLogger(),
    }).startWebServer({ port: 0, host: '127.0.0.1', tls: { cert: readFileSync(files.cert), key: readFileSync(files.key) } });
    expect(web.secure).to.equal(true);
    transport.attachWebSocket(web.server, web.secure);
    const ws = new WebSocket(`wss://127.0.0.1:${web.port}/sip`, ['sip'], { ca: readFileSync(files.cert) });
    await new Promise<void>((resolve, reject) => ws.once('open', () => { resolve(); }).once('error', reject));
    const arrived = firstRequest();
    ws.send(options('WSS abc.invalid'));
    expect((await arrived).source.transport).to.equal('wss');
    ws.terminate();
  });
});
