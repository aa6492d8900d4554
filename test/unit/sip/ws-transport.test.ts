import { createServer, type Server } from 'node:http';
import { expect } from 'chai';
import { WebSocket } from 'ws';
import { silentLogger } from '../../../src/logging/logger.js';
import type { Endpoint } from '../../../src/sip/sip-types.js';
import { WsTransport, type WsLimits } from '../../../src/sip/ws-transport.js';

const LIMITS: WsLimits = { maxConnections: 10, maxPerAddress: 5, maxMessageBytes: 4096, firstMessageTimeoutMs: 5000, pingIntervalMs: 60_000 };

const OPTIONS =
  'OPTIONS sip:12345@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/WS abc.invalid;branch=z9hG4bK1\r\n' +
  'From: <sip:a@abc.invalid>;tag=1\r\nTo: <sip:12345@127.0.0.1>\r\nCall-ID: c1\r\nCSeq: 1 OPTIONS\r\n\r\n';

/** RFC 7118 at the transport: the handshake, one message per frame, keep-alives, limits, closes. */
describe('SIP over WebSocket transport', () => {
  let server: Server;
  let transport: WsTransport;
  let port: number;
  const frames: { data: string; source: Endpoint }[] = [];
  const closedFlows: Endpoint[] = [];
  const clients: WebSocket[] = [];

  const start = async (limits: Partial<WsLimits> = {}, secure = false): Promise<void> => {
    server = createServer();
    transport = new WsTransport(
      silentLogger(),
      { ...LIMITS, ...limits },
      (data, source) => {
        frames.push({ data: data.toString('latin1'), source });
        return true;
      },
      (source) => closedFlows.push(source),
    );
    transport.attach(server, secure);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    port = typeof address === 'object' && address !== null ? address.port : 0;
  };

  afterEach(async () => {
    for (const ws of clients.splice(0)) ws.terminate();
    transport.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => { resolve(); }));
    frames.length = 0;
    closedFlows.length = 0;
  });

  const open = (protocols: string[] = ['sip'], path = '/sip'): Promise<WebSocket> => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`, protocols);
    clients.push(ws);
    ws.on('error', () => undefined);
    return new Promise((resolve, reject) => {
      ws.once('open', () => { resolve(ws); });
      ws.once('unexpected-response', (_req, res) => { reject(new Error(String(res.statusCode))); });
    });
  };
  const until = async (check: () => boolean, ms = 2000): Promise<void> => {
    const deadline = Date.now() + ms;
    while (!check()) {
      if (Date.now() > deadline) throw new Error('timed out');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };

  it('when a client opens /sip with subprotocol sip, the server picks sip and each text frame arrives as one message from a ws source', async () => {
    await start();
    const ws = await open(['chat', 'sip']);
    expect(ws.protocol).to.equal('sip');
    ws.send(OPTIONS);
    ws.send(OPTIONS.replace('Call-ID: c1', 'Call-ID: c2'));
    await until(() => frames.length === 2);
    expect(frames[0]?.data).to.equal(OPTIONS);
    expect(frames[0]?.source).to.include({ transport: 'ws', address: '127.0.0.1' });
    expect(frames[0]?.source.connectionId).to.be.a('number');
    expect(frames[1]?.source.connectionId).to.equal(frames[0]?.source.connectionId);
  });

  it('when the HTTP server is HTTPS, the source is wss', async () => {
    // The transport only labels: TLS itself is the https server's (Node's), tested end to end.
    await start({}, true);
    const ws = await open();
    ws.send(OPTIONS);
    await until(() => frames.length === 1);
    expect(frames[0]?.source.transport).to.equal('wss');
  });

  it('when a client offers no sip subprotocol, the upgrade is refused with 400', async () => {
    await start();
    let refusal = '';
    await open(['chat']).catch((err: unknown) => { refusal = (err as Error).message; });
    expect(refusal).to.equal('400');
  });

  it('when a double CRLF keep-alive arrives, it is answered with one CRLF and not handed on as a message', async () => {
    await start();
    const ws = await open();
    const pong = new Promise<string>((resolve) => ws.once('message', (data: Buffer) => { resolve(data.toString()); }));
    ws.send('\r\n\r\n');
    expect(await pong).to.equal('\r\n');
    expect(frames).to.have.length(0);
  });

  it('when the server sends a message, it goes as one text frame over the connection; after the close, sending is refused', async () => {
    await start();
    const ws = await open();
    ws.send(OPTIONS);
    await until(() => frames.length === 1);
    const id = frames[0]?.source.connectionId;
    const got = new Promise<{ text: string; binary: boolean }>((resolve) => ws.once('message', (data: Buffer, binary: boolean) => { resolve({ text: data.toString(), binary }); }));
    await transport.send(Buffer.from('SIP/2.0 200 OK\r\n\r\n'), id);
    expect(await got).to.deep.equal({ text: 'SIP/2.0 200 OK\r\n\r\n', binary: false });
    ws.close();
    await until(() => closedFlows.length === 1);
    expect(closedFlows[0]?.connectionId).to.equal(id);
    let error = '';
    await transport.send(Buffer.from('x'), id).catch((err: unknown) => { error = (err as Error).message; });
    expect(error).to.match(/closed/);
  });

  it('when one address opens more than its share, the extra upgrade gets 503, and a frame over the size limit closes the connection', async () => {
    await start({ maxPerAddress: 2, maxMessageBytes: 1000 });
    const a = await open();
    await open();
    let refusal = '';
    await open().catch((err: unknown) => { refusal = (err as Error).message; });
    expect(refusal).to.equal('503');
    const code = new Promise<number>((resolve) => a.once('close', (c) => { resolve(c); }));
    a.send('x'.repeat(2000));
    expect(await code).to.equal(1009);
    // Its slot is free again.
    await until(() => transport.connectionCount === 1);
    await open();
  });

  it('when a connection sends no SIP message within the first-message deadline, it is closed', async () => {
    await start({ firstMessageTimeoutMs: 100 });
    const ws = await open();
    const code = await new Promise<number>((resolve) => ws.once('close', (c) => { resolve(c); }));
    expect(code).to.equal(1008);
    await until(() => closedFlows.length === 1);
  });
});
