import { connect, createServer, type Server, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Logger } from '../logging/logger.js';
import { SipError } from './sip-error.js';
import { StreamFramer } from './stream-framer.js';

interface Connection {
  readonly id: number;
  readonly socket: Socket;
  readonly address: string;
  readonly port: number;
  /** Accepted from a peer (counted against the per-address limit), or opened by us. */
  readonly inbound: boolean;
}

/** Connection limits (issue 9 item 10): every accepted socket is a file descriptor. */
export interface TcpLimits {
  /** Connections at once, accepted and opened (SIP_TCP_MAX_CONNECTIONS). */
  readonly maxConnections: number;
  /** Accepted connections at once from one address (SIP_TCP_MAX_PER_ADDRESS). */
  readonly maxPerAddress: number;
  /** An accepted connection that has not sent one complete message by then is closed (SIP_TCP_IDLE_S). */
  readonly firstMessageTimeoutMs: number;
  /** After a complete message, a connection silent this long is closed (SIP_TCP_ESTABLISHED_IDLE_S). */
  readonly idleTimeoutMs: number;
}

export const DEFAULT_TCP_LIMITS: TcpLimits = {
  maxConnections: 2000,
  maxPerAddress: 50,
  firstMessageTimeoutMs: 30_000,
  idleTimeoutMs: 15 * 60_000,
};

const CONNECT_TIMEOUT_MS = 5000;
/** Refusals are summed into one log line per this interval, so a flood cannot flood the log. */
const REFUSAL_LOG_INTERVAL_MS = 10_000;

/**
 * SIP over TCP (RFC 3261 §18): a listening server plus the connections it accepted or opened.
 * Connections are kept for responses and in-dialog requests. Accepted connections are limited per
 * address and in total; one that sends no complete message within `firstMessageTimeoutMs` is closed,
 * and any connection silent for `idleTimeoutMs` after that.
 */
export class TcpTransport {
  private server: Server | undefined;
  private readonly connections = new Map<number, Connection>();
  private readonly perAddress = new Map<string, number>();
  private nextId = 1;
  private refused = 0;
  private lastRefusalLog = -Infinity;

  constructor(
    private readonly logger: Logger,
    private readonly limits: TcpLimits,
    private readonly onMessage: (data: Buffer, address: string, port: number, connectionId: number) => void,
  ) {}

  /** Open connections (accepted and opened). */
  get connectionCount(): number {
    return this.connections.size;
  }

  /** Listens; rejects with SipError `SIP_BIND_FAILED` naming address:port. */
  async listen(address: string, port: number): Promise<void> {
    const server = createServer((socket) => {
      const address = normalise(socket.remoteAddress ?? '');
      const why = this.refusal(address);
      if (why !== undefined) {
        socket.on('error', () => undefined);
        socket.destroy();
        this.logRefusal(address, why);
        return;
      }
      this.adopt(socket, true, address);
    });
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error): void => {
        server.close();
        reject(new SipError('SIP_BIND_FAILED', `cannot bind SIP TCP ${address}:${port}: ${err.message}`, { cause: err }));
      };
      server.once('error', onError);
      server.listen(port, address, () => {
        server.off('error', onError);
        resolve();
      });
    });
    server.on('error', (err) => {
      this.logger.error('sip tcp server error', { err: err.message });
    });
    this.server = server;
  }

  isOpen(connectionId: number | undefined): boolean {
    return connectionId !== undefined && this.connections.has(connectionId);
  }

  /** Sends over `connectionId` if still open, else over an open connection to address:port, else connects. */
  async send(data: Buffer, address: string, port: number, connectionId?: number): Promise<void> {
    const existing =
      (connectionId === undefined ? undefined : this.connections.get(connectionId)) ??
      [...this.connections.values()].find((c) => c.address === address && c.port === port);
    const conn = existing ?? (await this.open(address, port));
    await new Promise<void>((resolve, reject) => {
      conn.socket.write(data, (err) => {
        if (err) reject(new SipError('SIP_SEND_FAILED', `tcp send to ${address}:${port} failed: ${err.message}`, { cause: err }));
        else resolve();
      });
    });
  }

  close(): void {
    for (const conn of [...this.connections.values()]) conn.socket.destroy();
    this.connections.clear();
    this.perAddress.clear();
    this.server?.close();
    this.server = undefined;
  }

  private open(address: string, port: number): Promise<Connection> {
    if (!this.server) return Promise.reject(new SipError('SIP_SEND_FAILED', 'sip tcp transport is closed'));
    return new Promise((resolve, reject) => {
      const socket = connect({ host: address, port, timeout: CONNECT_TIMEOUT_MS });
      const fail = (err: Error): void => {
        socket.destroy();
        reject(new SipError('SIP_SEND_FAILED', `tcp connect to ${address}:${port} failed: ${err.message}`, { cause: err }));
      };
      socket.once('error', fail);
      socket.once('timeout', () => {
        fail(new Error('timeout'));
      });
      socket.once('connect', () => {
        socket.off('error', fail);
        socket.removeAllListeners('timeout');
        resolve(this.adopt(socket, false, address, port));
      });
    });
  }

  private refusal(address: string): string | undefined {
    if (this.connections.size >= this.limits.maxConnections) return `total limit ${this.limits.maxConnections}`;
    if ((this.perAddress.get(address) ?? 0) >= this.limits.maxPerAddress) return `per-address limit ${this.limits.maxPerAddress}`;
    return undefined;
  }

  private logRefusal(address: string, why: string): void {
    this.refused++;
    const now = performance.now();
    if (now - this.lastRefusalLog < REFUSAL_LOG_INTERVAL_MS) return;
    this.lastRefusalLog = now;
    this.logger.warn('sip tcp: connections refused', { last: address, why, refused: this.refused });
    this.refused = 0;
  }

  private adopt(socket: Socket, inbound: boolean, address = normalise(socket.remoteAddress ?? ''), port = socket.remotePort ?? 0): Connection {
    const conn: Connection = { id: this.nextId++, socket, address, port, inbound };
    this.connections.set(conn.id, conn);
    if (inbound) this.perAddress.set(address, (this.perAddress.get(address) ?? 0) + 1);
    const remote = `${conn.address}:${conn.port}`;
    const framer = new StreamFramer();
    // RFC 5626 §4.4.1 keep-alives and phones re-registering keep an established connection; a peer
    // that never completes a message only holds a descriptor: it gets a fixed deadline, not reset by data.
    let firstMessage: NodeJS.Timeout | undefined;
    if (inbound) {
      firstMessage = setTimeout(() => {
        this.logger.debug('sip tcp: no complete message in time, closing', { remote, pendingBytes: framer.pendingBytes });
        socket.destroy();
      }, this.limits.firstMessageTimeoutMs);
      firstMessage.unref();
    }
    socket.setTimeout(this.limits.idleTimeoutMs);
    socket.on('timeout', () => {
      this.logger.debug('sip tcp connection idle, closing', { remote });
      socket.destroy();
    });
    socket.on('data', (chunk: Buffer) => {
      const messages = framer.push(chunk);
      if (messages === undefined) {
        this.logger.warn('sip tcp: message too large, closing connection', { remote });
        socket.destroy();
        return;
      }
      if (messages.length > 0 && firstMessage !== undefined) {
        clearTimeout(firstMessage);
        firstMessage = undefined;
      }
      for (const message of messages) this.onMessage(message, conn.address, conn.port, conn.id);
    });
    socket.on('error', (err) => {
      this.logger.debug('sip tcp connection error', { err: err.message });
    });
    socket.on('close', () => {
      clearTimeout(firstMessage);
      if (!this.connections.delete(conn.id)) return;
      if (!inbound) return;
      const left = (this.perAddress.get(address) ?? 1) - 1;
      if (left > 0) this.perAddress.set(address, left);
      else this.perAddress.delete(address);
    });
    return conn;
  }
}

const normalise = (address: string): string => address.replace(/^::ffff:/, '');
