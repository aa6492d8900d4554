import { createSocket, type Socket } from 'node:dgram';
import type { LookupOneOptions } from 'node:dns';
import { isIP } from 'node:net';
import type { Logger } from '../logging/logger.js';
import { MediaError } from './media-error.js';

const RECV_BUFFER_BYTES = 1024 * 1024;

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string, family: number) => void;

/**
 * The address lookup of an RTP socket: media goes to IP literals only (the SDP's c= line or the
 * source the stream latched to), answered at once. Node's default looks every send up through
 * dns.lookup, which for a literal still costs a regular expression, a closure and a deferred callback
 * per packet (≈ 7 % of a media worker's CPU at 1,000 calls), and for a host name in an SDP would ask
 * the DNS on the packet path: a name is refused instead (the send fails, logged as a socket error).
 * The last address's family is kept, so the steady state is one string comparison.
 */
export function rtpAddressLookup(): (hostname: string, options: LookupOneOptions | number, callback: LookupCallback) => void {
  let lastHost = '';
  let lastFamily = 0;
  return (hostname, _options, callback) => {
    if (hostname !== lastHost) {
      const family = isIP(hostname);
      if (family === 0) {
        const err: NodeJS.ErrnoException = new Error(`RTP is sent to IP addresses only, not to "${hostname.slice(0, 64)}"`);
        err.code = 'ENOTFOUND';
        callback(err, '', 0);
        return;
      }
      lastHost = hostname;
      lastFamily = family;
    }
    callback(null, hostname, lastFamily);
  };
}

/**
 * Hands out UDP sockets bound on even ports of [portMin, portMax] (RFC 3550 §11: RTP on even ports;
 * the odd one is left for RTCP, which this server does not use). Ports in use by another process are
 * skipped (EADDRINUSE); a cursor spreads allocations so a just-released port is not reused at once.
 */
export class PortAllocator {
  private readonly inUse = new Set<number>();
  private readonly first: number;
  private readonly count: number;
  private cursor = 0;

  constructor(
    private readonly bindAddress: string,
    portMin: number,
    portMax: number,
    private readonly logger: Logger,
  ) {
    this.first = portMin % 2 === 0 ? portMin : portMin + 1;
    this.count = portMax >= this.first ? Math.floor((portMax - this.first) / 2) + 1 : 0;
  }

  get used(): number {
    return this.inUse.size;
  }

  /** Binds the next free even port; rejects with RTP_PORTS_EXHAUSTED when every port is taken. */
  async allocate(): Promise<{ socket: Socket; port: number }> {
    for (let tried = 0; tried < this.count; tried++) {
      const port = this.first + 2 * ((this.cursor + tried) % this.count);
      if (this.inUse.has(port)) continue;
      // Reserve before the await so concurrent allocations never pick the same port.
      this.inUse.add(port);
      const socket = await this.tryBind(port);
      if (socket !== undefined) {
        this.cursor = (this.cursor + tried + 1) % this.count;
        return { socket, port };
      }
      this.inUse.delete(port);
    }
    throw new MediaError(
      'RTP_PORTS_EXHAUSTED',
      `no free RTP port in ${this.first}-${this.first + 2 * Math.max(0, this.count - 1)} on ${this.bindAddress} (${this.inUse.size} in use)`,
    );
  }

  release(port: number): void {
    this.inUse.delete(port);
  }

  private tryBind(port: number): Promise<Socket | undefined> {
    const type = this.bindAddress.includes(':') ? 'udp6' : 'udp4';
    const socket = createSocket({ type, recvBufferSize: RECV_BUFFER_BYTES, lookup: rtpAddressLookup() });
    return new Promise((resolve) => {
      const onError = (err: NodeJS.ErrnoException): void => {
        socket.off('listening', onListening);
        if (err.code !== 'EADDRINUSE' && err.code !== 'EACCES') {
          this.logger.warn('RTP port bind failed', { port, code: err.code, err: err.message });
        }
        try {
          socket.close();
        } catch {
          // a socket whose bind failed may already be closed
        }
        resolve(undefined);
      };
      const onListening = (): void => {
        socket.off('error', onError);
        resolve(socket);
      };
      socket.once('error', onError);
      socket.once('listening', onListening);
      socket.bind(port, this.bindAddress);
    });
  }
}
