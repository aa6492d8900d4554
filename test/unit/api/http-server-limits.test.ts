import { connect, type Socket } from 'node:net';
import { expect } from 'chai';
import { Registry } from 'prom-client';
import { createHttpServer, type WebServer, type WebServerOptions } from '../../../src/api/http-server.js';
import { silentLogger } from '../../../src/logging/logger.js';
import { MemoryCallRecords } from '../../support/memory-call-records.js';

/** Issue 9 item 10: the HTTP listener bounds connections, slow heads and head size. */
describe('HTTP server limits', () => {
  let server: WebServer | undefined;
  const sockets: Socket[] = [];

  const start = async (options: Partial<WebServerOptions> = {}): Promise<number> => {
    server = await createHttpServer({
      callRecords: new MemoryCallRecords(),
      health: () => Promise.resolve({ sip: true, database: true }),
      metrics: new Registry(),
      logger: silentLogger(),
    }).startWebServer({ port: 0, host: '127.0.0.1', closeGraceMs: 100, ...options });
    return server.port;
  };

  /** A raw client: resolves once connected; `text()` resolves with all it received when closed. */
  const open = async (port: number, localAddress = '127.0.0.1'): Promise<{ socket: Socket; text: () => Promise<string> }> => {
    const socket = connect({ host: '127.0.0.1', port, localAddress });
    sockets.push(socket);
    socket.on('error', () => undefined);
    let received = '';
    socket.setEncoding('latin1').on('data', (chunk: string) => (received += chunk));
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    const ended = new Promise<string>((resolve) => socket.once('close', () => { resolve(received); }));
    return { socket, text: () => ended };
  };

  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.destroy();
    await server?.close();
    server = undefined;
  });

  it('when the connection limit is reached, the next connection is closed unanswered and the open ones are served', async () => {
    const port = await start({ maxConnections: 2 });
    const kept = [await open(port), await open(port)];
    const extra = await open(port);
    extra.socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(await extra.text()).to.equal('');
    kept[0]?.socket.end('GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(await kept[0]?.text()).to.match(/^HTTP\/1\.1 200/);
  });

  it('when one address holds HTTP_MAX_PER_ADDRESS connections, its next one is closed unanswered while another address is still served', async () => {
    const port = await start({ maxConnections: 100, maxPerAddress: 2 });
    await open(port);
    await open(port);
    const extra = await open(port);
    extra.socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(await extra.text()).to.equal('');
    const other = await open(port, '127.0.0.2');
    other.socket.end('GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(await other.text()).to.match(/^HTTP\/1\.1 200/);
  });

  it('when a client never finishes its request head, it gets 408 and is disconnected', async function () {
    this.timeout(10_000);
    const port = await start({ headersTimeoutMs: 300 });
    const slow = await open(port);
    slow.socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n');
    expect(await slow.text()).to.match(/^HTTP\/1\.1 408/);
  });

  it('when a request head is over 16 KB, it gets 431', async () => {
    const port = await start();
    const res = await fetch(`http://127.0.0.1:${port}/healthz`, { headers: { 'x-big': 'a'.repeat(17 * 1024) } });
    expect(res.status).to.equal(431);
  });
});
