import { expect } from 'chai';
import { createSocket } from 'node:dgram';
import { silentLogger } from '../../../src/logging/logger.js';
import { PortAllocator, rtpAddressLookup } from '../../../src/media/port-allocator.js';

/** The RTP sockets' address lookup (issue 15: no dns.lookup per packet; never a DNS query on the packet path). */
describe('rtpAddressLookup', () => {
  it('answers an IPv4 or IPv6 literal at once, with its family', () => {
    const lookup = rtpAddressLookup();
    const seen: unknown[] = [];
    lookup('127.0.0.1', 4, (err, address, family) => seen.push([err, address, family]));
    lookup('127.0.0.1', 4, (err, address, family) => seen.push([err, address, family]));
    lookup('::1', 6, (err, address, family) => seen.push([err, address, family]));
    // Synchronous: every callback ran before lookup returned.
    expect(seen).to.deep.equal([
      [null, '127.0.0.1', 4],
      [null, '127.0.0.1', 4],
      [null, '::1', 6],
    ]);
  });

  it('refuses a host name with an error naming it, instead of asking the DNS', () => {
    const lookup = rtpAddressLookup();
    let error: NodeJS.ErrnoException | null = null;
    lookup('media.attacker.example', 4, (err) => {
      error = err;
    });
    expect(error).to.be.instanceOf(Error);
    expect((error as unknown as NodeJS.ErrnoException).code).to.equal('ENOTFOUND');
    expect((error as unknown as Error).message).to.include('media.attacker.example');
  });

  it('a refused name after a literal is still refused (the cache holds only a literal)', () => {
    const lookup = rtpAddressLookup();
    const results: (string | null)[] = [];
    lookup('127.0.0.1', 4, (err) => results.push(err?.code ?? null));
    lookup('localhost', 4, (err) => results.push(err?.code ?? null));
    lookup('127.0.0.1', 4, (err) => results.push(err?.code ?? null));
    expect(results).to.deep.equal([null, 'ENOTFOUND', null]);
  });
});

describe('PortAllocator sockets', () => {
  it('send RTP to an IP literal, and report a host name as a socket error instead of resolving it', async () => {
    const ports = new PortAllocator('127.0.0.1', 41000, 41098, silentLogger());
    const { socket, port } = await ports.allocate();
    const peer = createSocket('udp4');
    await new Promise<void>((resolve) => peer.bind(0, '127.0.0.1', resolve));
    try {
      const got = new Promise<Buffer>((resolve) => peer.once('message', resolve));
      socket.send(Buffer.from('rtp'), peer.address().port, '127.0.0.1');
      expect((await got).toString()).to.equal('rtp');
      const failed = new Promise<NodeJS.ErrnoException>((resolve) => socket.once('error', resolve));
      socket.send(Buffer.from('rtp'), 5004, 'rtp.attacker.example');
      const err = await failed;
      expect(err.code).to.equal('ENOTFOUND');
      // Our lookup's refusal, not a DNS answer: no query left the process.
      expect(err.message).to.include('IP addresses only');
    } finally {
      peer.close();
      socket.close();
      ports.release(port);
    }
  });
});
