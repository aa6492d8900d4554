import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { connect, createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import { Registry } from 'prom-client';
import sinon from 'sinon';
import { WebSocket } from 'ws';
import { createHttpServer, type WebServer } from '../../../src/api/http-server.js';
import { createLogger, silentLogger } from '../../../src/logging/logger.js';
import type { SipRequest } from '../../../src/sip/sip-message.js';
import { SipTransport } from '../../../src/sip/sip-transport.js';
import { SipError } from '../../../src/sip/sip-error.js';
import { DEFAULT_TCP_LIMITS, type TlsSettings } from '../../../src/sip/tcp-transport.js';
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

/** What a TLS peer (a trunk) saw of one connection: the SNI name we sent, and the first bytes. */
interface Seen {
  readonly servername: string | false | null;
  readonly data: string;
}

/**
 * SIP over TLS toward a peer (a trunk, a carrier's SBC): its certificate must chain to Node's bundled CAs
 * or to SIP_TLS_CA (`trustedCas`), and name the address dialled (RFC 5922 §7). The peer is a plain Node
 * TLS server with a self-signed certificate, as a carrier with a private CA looks to us.
 */
describe('SIP over TLS toward a peer: the peer certificate is checked (SIP_TLS_CA)', function () {
  this.timeout(20_000);
  let own: { cert: string; key: string };
  let forLoopback: { cert: string; key: string };
  let forLocalhost: { cert: string; key: string };
  let other: { cert: string; key: string };
  let transport: SipTransport | undefined;
  const peers: TlsServer[] = [];

  before(() => {
    own = selfSignedCertificate();
    forLoopback = selfSignedCertificate('IP:127.0.0.1');
    forLocalhost = selfSignedCertificate('DNS:localhost');
    other = selfSignedCertificate('IP:127.0.0.1');
  });

  afterEach(async () => {
    sinon.restore();
    transport?.close();
    transport = undefined;
    await Promise.all(peers.splice(0).map((p) => new Promise<void>((resolve) => p.close(() => { resolve(); }))));
  });

  /** A TLS peer on `address`; `seen` holds each connection's SNI and first bytes. */
  async function startPeer(files: { cert: string; key: string }, address = '127.0.0.1'): Promise<{ port: number; seen: Seen[]; next: Promise<Seen> }> {
    const seen: Seen[] = [];
    let arrived: (s: Seen) => void = () => undefined;
    const next = new Promise<Seen>((resolve) => (arrived = resolve));
    const server = createTlsServer({ cert: readFileSync(files.cert), key: readFileSync(files.key) }, (socket) => {
      socket.on('error', () => undefined);
      socket.once('data', (d: Buffer) => {
        const s = { servername: socket.servername, data: d.toString() };
        seen.push(s);
        arrived(s);
      });
    });
    server.on('tlsClientError', () => undefined);
    peers.push(server);
    await new Promise<void>((resolve) => server.listen(0, address, resolve));
    const bound = server.address();
    return { port: typeof bound === 'object' && bound !== null ? bound.port : 0, seen, next };
  }

  async function startTransport(settings: Partial<TlsSettings>): Promise<{ sip: SipTransport; warn: sinon.SinonSpy }> {
    const logger = createLogger('warn', { silent: true });
    const warn = sinon.spy(logger, 'warn');
    const tls: TlsSettings = { cert: readFileSync(own.cert), key: readFileSync(own.key), verifyServer: true, ...settings };
    const sip = new SipTransport('127.0.0.1', 0, logger, DEFAULT_TCP_LIMITS, Date.now, DEFAULT_WS_LIMITS, { port: 0, settings: tls });
    transport = sip;
    await sip.start();
    return { sip, warn };
  }

  const message = Buffer.from(options('TLS 127.0.0.1:5061'));
  const caOf = (files: { cert: string }): string[] => [readFileSync(files.cert, 'utf8')];

  /** The send's rejection (failing the test when it succeeds). */
  async function refusal(send: Promise<void>): Promise<SipError> {
    const err: unknown = await send.then(
      () => new Error('the send succeeded'),
      (e: unknown) => e,
    );
    if (!(err instanceof SipError)) throw err;
    return err;
  }

  it('when verification is on and SIP_TLS_CA is not set, a peer with a self-signed certificate is refused: the send fails, a warning names the peer and the reason, nothing reaches the peer', async () => {
    const { port, seen } = await startPeer(forLoopback);
    const { sip, warn } = await startTransport({});
    const err = await refusal(sip.sendBytes(message, { transport: 'tls', address: '127.0.0.1', port }));
    expect(err.code).to.equal('SIP_SEND_FAILED');
    expect(err.message).to.match(new RegExp(`tls connect to 127\\.0\\.0\\.1:${port} failed: certificate refused: DEPTH_ZERO_SELF_SIGNED_CERT`));
    const warned = warn.getCalls().find((c) => c.args[0] === 'sip tls: certificate of the peer refused, not connecting');
    expect(warned?.args[1]).to.deep.include({ peer: `127.0.0.1:${port}`, trustedCas: 'bundled' });
    expect(String((warned?.args[1] as { reason?: unknown } | undefined)?.reason)).to.match(/self-signed certificate/);
    expect(seen).to.have.length(0);
    // Again and again (a peer making us connect back to it): every send fails, the warning is not repeated.
    for (let i = 0; i < 5; i++) await refusal(sip.sendBytes(message, { transport: 'tls', address: '127.0.0.1', port }));
    expect(warn.getCalls().filter((c) => c.args[0] === 'sip tls: certificate of the peer refused, not connecting')).to.have.length(1);
  });

  it('when SIP_TLS_CA is the peer certificate, the connection is made and the message arrives, with no SNI for an IP literal', async () => {
    const { port, next } = await startPeer(forLoopback);
    const { sip, warn } = await startTransport({ trustedCas: caOf(forLoopback) });
    await sip.sendBytes(message, { transport: 'tls', address: '127.0.0.1', port });
    const arrived = await next;
    expect(arrived.data).to.match(/^OPTIONS sip:12345@127\.0\.0\.1 SIP\/2\.0\r\n/);
    expect(arrived.servername).to.equal(false);
    expect(warn.called).to.equal(false);
  });

  it('when SIP_TLS_CA is another CA, the peer is refused all the same', async () => {
    const { port, seen } = await startPeer(forLoopback);
    const { sip, warn } = await startTransport({ trustedCas: caOf(other) });
    const err = await refusal(sip.sendBytes(message, { transport: 'tls', address: '127.0.0.1', port }));
    expect(err.message).to.include('certificate refused');
    expect(warn.getCalls().find((c) => c.args[0] === 'sip tls: certificate of the peer refused, not connecting')?.args[1]).to.deep.include({
      peer: `127.0.0.1:${port}`,
      trustedCas: 'bundled + SIP_TLS_CA',
    });
    expect(seen).to.have.length(0);
  });

  it('when the trusted certificate names another address than the one dialled, the peer is refused (the IP subjectAltName is checked)', async () => {
    const { port, seen } = await startPeer(forLoopback, '127.0.0.2');
    const { sip } = await startTransport({ trustedCas: caOf(forLoopback) });
    const err = await refusal(sip.sendBytes(message, { transport: 'tls', address: '127.0.0.2', port }));
    expect(err.message).to.match(/certificate refused: ERR_TLS_CERT_ALTNAME_INVALID: .*IP: 127\.0\.0\.2 is not in the cert's list: 127\.0\.0\.1/);
    expect(seen).to.have.length(0);
  });

  it('when the peer is dialled by host name, the name goes in SNI and the certificate must name it (an IP-only certificate is refused)', async () => {
    const named = await startPeer(forLocalhost);
    const ipOnly = await startPeer(forLoopback);
    const { sip } = await startTransport({ trustedCas: [...caOf(forLocalhost), ...caOf(forLoopback)] });
    await sip.sendBytes(message, { transport: 'tls', address: 'localhost', port: named.port });
    expect((await named.next).servername).to.equal('localhost');
    const err = await refusal(sip.sendBytes(message, { transport: 'tls', address: 'localhost', port: ipOnly.port }));
    expect(err.message).to.match(/certificate refused: ERR_TLS_CERT_ALTNAME_INVALID: .*localhost/);
    expect(ipOnly.seen).to.have.length(0);
  });

  it('when verification is off (SIP_TLS_VERIFY_SERVER=false), any certificate is taken', async () => {
    const { port, next } = await startPeer(forLoopback);
    const { sip } = await startTransport({ verifyServer: false });
    await sip.sendBytes(message, { transport: 'tls', address: '127.0.0.1', port });
    expect((await next).data).to.match(/^OPTIONS /);
  });
});
