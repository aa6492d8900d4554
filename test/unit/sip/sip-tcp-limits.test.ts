import { connect, createServer, type Server, type Socket } from 'node:net';
import { expect } from 'chai';
import { silentLogger } from '../../../src/logging/logger.js';
import type { SipRequest } from '../../../src/sip/sip-message.js';
import { SipTransport } from '../../../src/sip/sip-transport.js';
import { addressKey } from '../../../src/shared/address-key.js';

/** Issue 9 item 10: one address cannot take every descriptor, and a silent connection does not stay. */
describe('SIP over TCP: connection limits', () => {
  let transport: SipTransport;
  const sockets: Socket[] = [];

  const start = async (limits: { maxConnections: number; maxPerAddress: number; firstMessageTimeoutMs: number }): Promise<number> => {
    transport = new SipTransport('127.0.0.1', 0, silentLogger(), { ...limits, idleTimeoutMs: 60_000 });
    return transport.start();
  };

  const open = async (port: number, localAddress = '127.0.0.1'): Promise<Socket> => {
    const socket = connect({ host: '127.0.0.1', port, localAddress });
    sockets.push(socket);
    socket.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    return socket;
  };

  const closed = (socket: Socket): Promise<void> =>
    socket.closed ? Promise.resolve() : new Promise((resolve) => socket.once('close', () => { resolve(); }));

  const options = (callId: string): string =>
    `OPTIONS sip:12345@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:5999;branch=z9hG4bK${callId}\r\n` +
    `From: <sip:a@127.0.0.1>;tag=1\r\nTo: <sip:12345@127.0.0.1>\r\nCall-ID: ${callId}\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n`;

  /** Sends an OPTIONS on `socket` and resolves with the source address the transport saw it from. */
  const roundTrip = (socket: Socket, callId: string): Promise<string> =>
    new Promise((resolve) => {
      const onRequest = (req: SipRequest): void => {
        if (req.callId !== callId) return;
        transport.events.off('request', onRequest);
        resolve(req.source.address);
      };
      transport.events.on('request', onRequest);
      socket.write(options(callId));
    });

  const listeners: Server[] = [];
  /** A peer's own listener (what a Via `received`:port points at); resolves its port and the connections it accepted. */
  const listen = async (): Promise<{ port: number; accepted: Socket[] }> => {
    const accepted: Socket[] = [];
    const server = createServer((socket) => {
      accepted.push(socket);
      sockets.push(socket);
      socket.on('error', () => undefined);
      socket.resume();
    });
    listeners.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    return { port: typeof address === 'object' && address !== null ? address.port : 0, accepted };
  };

  afterEach(() => {
    for (const socket of sockets.splice(0)) socket.destroy();
    for (const server of listeners.splice(0)) server.close();
    transport.close();
  });

  it('when one address opens more than the per-address limit, the extra connections are closed while another address still connects', async function () {
    this.timeout(10_000);
    const port = await start({ maxConnections: 100, maxPerAddress: 3, firstMessageTimeoutMs: 30_000 });
    const first = [await open(port), await open(port), await open(port)];
    const extra = [await open(port), await open(port)];
    await Promise.all(extra.map(closed));
    expect(extra.every((s) => s.closed)).to.equal(true);
    for (const [i, socket] of first.entries()) expect(await roundTrip(socket, `kept-${i}`)).to.equal('127.0.0.1');
    const other = await open(port, '127.0.0.2');
    expect(await roundTrip(other, 'other-address')).to.equal('127.0.0.2');
    expect(transport.tcpConnections).to.equal(4);
  });

  it('when the total limit is reached, a new connection from any address is closed', async function () {
    this.timeout(10_000);
    const port = await start({ maxConnections: 2, maxPerAddress: 50, firstMessageTimeoutMs: 30_000 });
    const kept = [await open(port), await open(port, '127.0.0.2')];
    const refused = await open(port, '127.0.0.3');
    await closed(refused);
    expect(refused.closed).to.equal(true);
    expect(await roundTrip(kept[1] ?? refused, 'still-served')).to.equal('127.0.0.2');
  });

  it('when a connection sends nothing (or half a message) within SIP_TCP_IDLE_S, it is closed, and one that sent a message stays', async function () {
    this.timeout(10_000);
    const port = await start({ maxConnections: 100, maxPerAddress: 50, firstMessageTimeoutMs: 300 });
    const talker = await open(port);
    expect(await roundTrip(talker, 'talker')).to.equal('127.0.0.1');
    const silent = await open(port);
    const dripper = await open(port);
    dripper.write('OPTIONS sip:12345@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP');
    const opened = performance.now();
    await Promise.all([closed(silent), closed(dripper)]);
    expect(performance.now() - opened).to.be.at.least(250);
    expect(talker.closed).to.equal(false);
    expect(await roundTrip(talker, 'talker-again')).to.equal('127.0.0.1');
    expect(transport.tcpConnections).to.equal(1);
  });

  it('when responses must go to new connections at one address (Via received:port), the server opens no more than the per-address limit and the extra sends fail', async function () {
    this.timeout(10_000);
    await start({ maxConnections: 100, maxPerAddress: 2, firstMessageTimeoutMs: 30_000 });
    const peers = await Promise.all(Array.from({ length: 5 }, () => listen()));
    const results = await Promise.allSettled(
      peers.map((peer) => transport.sendBytes(Buffer.from('SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n'), { transport: 'tcp', address: '127.0.0.1', port: peer.port })),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).to.have.length(2);
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(refused).to.have.length(3);
    for (const r of refused) expect(String(r.reason)).to.contain('per-address limit 2');
    expect(transport.tcpConnections).to.equal(2);
  });

  it('when the server opened a connection and the peer sends no SIP message on it within SIP_TCP_IDLE_S, it is closed', async function () {
    this.timeout(5_000);
    await start({ maxConnections: 100, maxPerAddress: 50, firstMessageTimeoutMs: 300 });
    const peer = await listen();
    await transport.sendBytes(Buffer.from('SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n'), { transport: 'tcp', address: '127.0.0.1', port: peer.port });
    const [socket] = peer.accepted;
    expect(socket).to.not.equal(undefined);
    if (socket) await closed(socket);
    expect(socket?.closed).to.equal(true);
  });

  it('when a connection sends only keep-alive CRLFs and garbage that ends in CRLFCRLF, it is still closed at SIP_TCP_IDLE_S', async function () {
    this.timeout(5_000);
    const port = await start({ maxConnections: 100, maxPerAddress: 50, firstMessageTimeoutMs: 300 });
    const garbage = await open(port);
    garbage.write('\r\n\r\nx\r\n\r\n\r\n\r\n');
    await closed(garbage);
    expect(garbage.closed).to.equal(true);
  });

  it('when IPv6 clients connect, addresses in one /64 count as one address', () => {
    expect(addressKey('2001:db8:1:2::5')).to.equal(addressKey('2001:db8:1:2:ffff:1:2:9'));
    expect(addressKey('2001:0db8:0001:0002:0:0:0:1')).to.equal(addressKey('2001:db8:1:2::1'));
    expect(addressKey('2001:db8:1:3::1')).to.not.equal(addressKey('2001:db8:1:2::1'));
    expect(addressKey('::1')).to.equal('0:0:0:0::/64');
    expect(addressKey('192.0.2.7')).to.equal('192.0.2.7');
  });
});
