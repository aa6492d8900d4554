import { connect, createServer, type Server, type Socket } from 'node:net';
import type { Logger } from '../logging/logger.js';
import { SipError } from './sip-error.js';
import { StreamFramer } from './stream-framer.js';

interface Connection {
  readonly id: number;
  readonly socket: Socket;
  readonly address: string;
  readonly port: number;
}

const CONNECT_TIMEOUT_MS = 5000;

/**
 * SIP over TCP (RFC 3261 §18): a listening server plus the connections it accepted or opened.
 * Connections are kept for responses and in-dialog requests and closed after `idleTimeoutMs` of silence.
 */
export class TcpTransport {
  private server: Server | undefined;
  private readonly connections = new Map<number, Connection>();
  private nextId = 1;

  constructor(
    private readonly logger: Logger,
    private readonly idleTimeoutMs: number,
    private readonly onMessage: (data: Buffer, address: string, port: number, connectionId: number) => void,
  ) {}

  /** Listens; rejects with SipError `SIP_BIND_FAILED` naming address:port. */
  async listen(address: string, port: number): Promise<void> {
    const server = createServer((socket) => {
      this.adopt(socket);
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
    for (const conn of this.connections.values()) conn.socket.destroy();
    this.connections.clear();
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
        resolve(this.adopt(socket, address, port));
      });
    });
  }

  private adopt(socket: Socket, address = socket.remoteAddress ?? '', port = socket.remotePort ?? 0): Connection {
    const conn: Connection = { id: this.nextId++, socket, address: address.replace(/^::ffff:/, ''), port };
    this.connections.set(conn.id, conn);
    const framer = new StreamFramer();
    socket.setTimeout(this.idleTimeoutMs);
    socket.on('timeout', () => {
      this.logger.debug('sip tcp connection idle, closing', { remote: `${conn.address}:${conn.port}` });
      socket.destroy();
    });
    socket.on('data', (chunk: Buffer) => {
      const messages = framer.push(chunk);
      if (messages === undefined) {
        this.logger.warn('sip tcp: message too large, closing connection', { remote: `${conn.address}:${conn.port}` });
        socket.destroy();
        return;
      }
      for (const message of messages) this.onMessage(message, conn.address, conn.port, conn.id);
    });
    socket.on('error', (err) => {
      this.logger.debug('sip tcp connection error', { err: err.message });
    });
    socket.on('close', () => {
      this.connections.delete(conn.id);
    });
    return conn;
  }
}
