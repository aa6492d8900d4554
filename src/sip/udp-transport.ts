import { createSocket, type Socket } from 'node:dgram';
import { lookup as dnsLookup, type LookupOneOptions } from 'node:dns';
import { isIP, isIPv6 } from 'node:net';
import type { Logger } from '../logging/logger.js';
import { SipError } from './sip-error.js';

const RECEIVE_BUFFER_BYTES = 4 * 1024 * 1024;

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string, family: number) => void;

/**
 * dgram resolves the target of every send() through dns.lookup, which answers even an IP literal on
 * the next tick: one deferred call and its closures per message. Every address the engine sends to is
 * an IP literal (the `received` source of a request, or a URI host checked by SipDialog), so those are
 * answered at once; anything else still goes to dns.lookup as before.
 */
function literalFirstLookup(hostname: string, options: LookupOneOptions | number, callback: LookupCallback): void {
  const family = isIP(hostname);
  if (family !== 0) {
    callback(null, hostname, family);
    return;
  }
  dnsLookup(hostname, typeof options === 'number' ? { family: options } : options, callback);
}

/** The UDP socket of the engine (RFC 3261 §18): bind checked, errors logged, never thrown at the process. */
export class UdpTransport {
  private socket: Socket | undefined;

  constructor(
    private readonly logger: Logger,
    private readonly onDatagram: (data: Buffer, address: string, port: number) => void,
  ) {}

  /** Binds; rejects with SipError `SIP_BIND_FAILED` naming address:port. Resolves with the bound port. */
  async bind(address: string, port: number): Promise<number> {
    const socket = createSocket({ type: isIPv6(address) ? 'udp6' : 'udp4', lookup: literalFirstLookup });
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error): void => {
        socket.close();
        reject(new SipError('SIP_BIND_FAILED', `cannot bind SIP UDP ${address}:${port}: ${err.message}`, { cause: err }));
      };
      socket.once('error', onError);
      socket.bind(port, address, () => {
        socket.off('error', onError);
        resolve();
      });
    });
    socket.on('error', (err) => {
      this.logger.error('sip udp socket error', { err: err.message });
    });
    socket.on('message', (data, rinfo) => {
      this.onDatagram(data, rinfo.address, rinfo.port);
    });
    try {
      socket.setRecvBufferSize(RECEIVE_BUFFER_BYTES);
    } catch (err) {
      this.logger.warn('sip udp: cannot raise receive buffer', { err: err instanceof Error ? err.message : String(err) });
    }
    this.socket = socket;
    return socket.address().port;
  }

  send(data: Buffer, address: string, port: number): Promise<void> {
    const socket = this.socket;
    if (!socket) return Promise.reject(new SipError('SIP_SEND_FAILED', 'sip udp transport is closed'));
    return new Promise((resolve, reject) => {
      const fail = (err: Error): void => {
        reject(new SipError('SIP_SEND_FAILED', `udp send to ${address}:${port} failed: ${err.message}`, { cause: err }));
      };
      try {
        socket.send(data, port, address, (err) => {
          if (err) fail(err);
          else resolve();
        });
      } catch (err) {
        fail(err instanceof Error ? err : new Error(String(err)));
      }
    });
  }

  close(): void {
    const socket = this.socket;
    this.socket = undefined;
    if (!socket) return;
    socket.removeAllListeners('message');
    try {
      socket.close();
    } catch {
      // already closed
    }
  }
}
