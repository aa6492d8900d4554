import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
// The `ws` npm package (this transport's WebSocket), not the ws/ layer the pattern `**/ws` stands for.
// eslint-disable-next-line no-restricted-imports
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { Logger } from '../logging/logger.js';
import { addressKey } from '../shared/address-key.js';
import { SipError } from './sip-error.js';
import type { Endpoint } from './sip-types.js';

/** The path SIP over WebSocket is served on, on the HTTP server's port. */
export const SIP_WS_PATH = '/sip';
/** RFC 7118 §4.1 / IANA: the WebSocket subprotocol of SIP. */
export const SIP_WS_PROTOCOL = 'sip';

/** Limits of SIP over WebSocket, the counterparts of the TCP ones (issue 9 item 10). */
export interface WsLimits {
  /** SIP WebSocket connections at once (SIP_WS_MAX_CONNECTIONS). */
  readonly maxConnections: number;
  /** Connections at once from one address; IPv6 counted per /64 (SIP_WS_MAX_PER_ADDRESS). */
  readonly maxPerAddress: number;
  /** Largest frame (one SIP message, RFC 7118 §5.1); a larger one closes the connection with 1009. */
  readonly maxMessageBytes: number;
  /** A connection that has not sent one SIP message by then is closed (SIP_TCP_IDLE_S, as for TCP). */
  readonly firstMessageTimeoutMs: number;
  /** WebSocket pings this often; a connection that answered none since the last is closed (SIP_WS_PING_S). */
  readonly pingIntervalMs: number;
}

export const DEFAULT_WS_LIMITS: WsLimits = {
  maxConnections: 2000,
  maxPerAddress: 50,
  maxMessageBytes: 65535,
  firstMessageTimeoutMs: 30_000,
  pingIntervalMs: 30_000,
};

interface Connection {
  readonly id: number;
  readonly ws: WebSocket;
  readonly source: Endpoint;
  readonly key: string;
  alive: boolean;
}

/** RFC 5626 §4.4.1: a double CRLF is a keep-alive ping, answered with one CRLF (the pong). */
const CRLF = Buffer.from('\r\n');

function isCrlfOnly(data: Buffer): boolean {
  if (data.length === 0 || data.length % 2 !== 0) return false;
  for (let i = 0; i < data.length; i += 2) if (data[i] !== 0x0d || data[i + 1] !== 0x0a) return false;
  return true;
}

/** ws hands text and binary frames over as Buffer, ArrayBuffer or fragments: one Buffer either way. */
function bytesOf(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

/** The subprotocols a client offered (`Sec-WebSocket-Protocol`, RFC 6455 §4.1), lower case. */
export function offeredProtocols(req: IncomingMessage): string[] {
  const header = req.headers['sec-websocket-protocol'];
  if (header === undefined) return [];
  return header.split(',').map((p) => p.trim().toLowerCase()).filter((p) => p !== '');
}

/**
 * SIP over WebSocket (RFC 7118) on the HTTP server's port, path `/sip`, subprotocol `sip`: one SIP
 * message per frame (text or binary, §5.1), so no stream framing; responses and every request to a
 * client go back over the connection it opened (§5, the client cannot be connected to). Connections are
 * limited in total and per address; one that sends no SIP message within the first-message deadline is
 * closed; WebSocket pings find dead peers, and double-CRLF keep-alives (RFC 5626 §4.4.1) are answered.
 * `onClosed` tells the engine a flow ended: its registrations go, its calls get their grace.
 */
export class WsTransport {
  private readonly wss: WebSocketServer;
  private readonly connections = new Map<number, Connection>();
  private readonly perAddress = new Map<string, number>();
  private readonly detachers: (() => void)[] = [];
  private heartbeat: NodeJS.Timeout | undefined;
  private nextId = 1;
  private refused = 0;

  constructor(
    private readonly logger: Logger,
    private readonly limits: WsLimits,
    /** Returns whether the frame read as a SIP request or response (ends the first-message deadline). */
    private readonly onMessage: (data: Buffer, source: Endpoint, readAt: number) => boolean,
    private readonly onClosed: (source: Endpoint) => void,
    private readonly now: () => number = Date.now,
  ) {
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: limits.maxMessageBytes,
      // Checked before the upgrade (refuse()): by now `sip` is among the offered ones.
      handleProtocols: () => SIP_WS_PROTOCOL,
      clientTracking: false,
    });
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  /**
   * Serves `/sip` on an HTTP(S) server (several may share the transport: plain and TLS). `secure`: the
   * server is HTTPS, so its clients are `wss` (RFC 7118 §7: the Via transport WSS). Returns the detacher.
   */
  attach(server: Server, secure: boolean): () => void {
    const listener = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
      // The path alone, without parsing a URL (an unparsable target is the upgrade guard's to answer).
      if ((req.url ?? '').split('?', 1)[0] !== SIP_WS_PATH) return;
      this.upgrade(req, socket, head, secure);
    };
    server.on('upgrade', listener);
    this.heartbeat ??= setInterval(() => {
      this.beat();
    }, this.limits.pingIntervalMs);
    this.heartbeat.unref();
    const detach = (): void => {
      server.off('upgrade', listener);
    };
    this.detachers.push(detach);
    return detach;
  }

  isOpen(connectionId: number | undefined): boolean {
    return connectionId !== undefined && this.connections.has(connectionId);
  }

  /**
   * Closes a connection with an application close code (RFC 6455 §7.4.2 leaves 4000–4999 to
   * applications), e.g. 4001 when another registration took its extension. The close handshake runs
   * as usual and `onClosed` follows. Returns false when the connection is gone already.
   */
  closeConnection(connectionId: number, code: number, reason: string): boolean {
    const conn = this.connections.get(connectionId);
    if (!conn) return false;
    this.logger.info('sip ws: closing connection', { connectionId, code, reason });
    conn.ws.close(code, reason);
    return true;
  }

  /** Sends one message as one text frame (RFC 7118 §5.1) over the connection; rejects when it is gone. */
  send(data: Buffer, connectionId: number | undefined): Promise<void> {
    const conn = connectionId === undefined ? undefined : this.connections.get(connectionId);
    if (!conn) return Promise.reject(new SipError('SIP_SEND_FAILED', 'sip websocket connection is closed (a client cannot be connected to)'));
    return new Promise((resolve, reject) => {
      conn.ws.send(data, { binary: false }, (err) => {
        if (err) reject(new SipError('SIP_SEND_FAILED', `websocket send failed: ${err.message}`, { cause: err }));
        else resolve();
      });
    });
  }

  close(): void {
    for (const detach of this.detachers.splice(0)) detach();
    clearInterval(this.heartbeat);
    this.heartbeat = undefined;
    for (const conn of [...this.connections.values()]) conn.ws.terminate();
    this.connections.clear();
    this.perAddress.clear();
    this.wss.close();
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, secure: boolean): void {
    const address = (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
    const key = addressKey(address);
    // RFC 7118 §4.1: the client must ask for `sip`; a WebSocket without it speaks something else.
    const why = !offeredProtocols(req).includes(SIP_WS_PROTOCOL)
      ? { status: '400 Bad Request', text: 'subprotocol sip required' }
      : this.connections.size >= this.limits.maxConnections
        ? { status: '503 Service Unavailable', text: `total limit ${this.limits.maxConnections}` }
        : (this.perAddress.get(key) ?? 0) >= this.limits.maxPerAddress
          ? { status: '503 Service Unavailable', text: `per-address limit ${this.limits.maxPerAddress}` }
          : undefined;
    if (why !== undefined) {
      socket.on('error', () => undefined);
      if (this.refused++ % 100 === 0) this.logger.warn('sip ws: upgrade refused', { address, why: why.text, refused: this.refused });
      socket.end(`HTTP/1.1 ${why.status}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${why.text.length}\r\n\r\n${why.text}`, () => socket.destroy());
      return;
    }
    // Counted now: upgrades in flight count against the limits too; a handshake ws refuses gives it back.
    this.count(key, 1);
    let adopted = false;
    socket.once('close', () => {
      if (!adopted) this.count(key, -1);
    });
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      adopted = true;
      this.adopt(ws, { transport: secure ? 'wss' : 'ws', address, port: req.socket.remotePort ?? 0, connectionId: this.nextId++ }, key);
    });
  }

  private adopt(ws: WebSocket, source: Endpoint & { connectionId: number }, key: string): void {
    const conn: Connection = { id: source.connectionId, ws, source, key, alive: true };
    this.connections.set(conn.id, conn);
    const remote = `${source.transport}:${source.address}:${source.port}`;
    this.logger.debug('sip ws: connection opened', { remote, connectionId: conn.id });
    let firstMessage: NodeJS.Timeout | undefined = setTimeout(() => {
      this.logger.debug('sip ws: no SIP message in time, closing', { remote });
      ws.close(1008, 'no SIP message');
    }, this.limits.firstMessageTimeoutMs);
    firstMessage.unref();
    ws.on('message', (raw: RawData) => {
      const readAt = this.now();
      conn.alive = true;
      const data = bytesOf(raw);
      if (isCrlfOnly(data)) {
        if (data.length >= 4) ws.send(CRLF, { binary: false });
        return;
      }
      if (this.onMessage(data, source, readAt) && firstMessage !== undefined) {
        clearTimeout(firstMessage);
        firstMessage = undefined;
      }
    });
    ws.on('pong', () => {
      conn.alive = true;
    });
    ws.on('error', (err) => {
      // e.g. a frame over maxPayload (ws closes with 1009) or invalid UTF-8 in a text frame (1007).
      this.logger.info('sip ws: connection error', { remote, err: err.message });
    });
    ws.on('close', (code) => {
      clearTimeout(firstMessage);
      if (this.connections.get(conn.id) !== conn) return;
      this.connections.delete(conn.id);
      this.count(key, -1);
      this.logger.info('sip ws: connection closed', { remote, connectionId: conn.id, code });
      this.onClosed(source);
    });
  }

  private count(key: string, delta: number): void {
    const n = (this.perAddress.get(key) ?? 0) + delta;
    if (n > 0) this.perAddress.set(key, n);
    else this.perAddress.delete(key);
  }

  /** A connection that answered no ping (nor sent anything) since the last beat is dead: terminated. */
  private beat(): void {
    for (const conn of this.connections.values()) {
      if (!conn.alive) {
        this.logger.info('sip ws: no pong, closing', { remote: `${conn.source.address}:${conn.source.port}` });
        conn.ws.terminate();
        continue;
      }
      conn.alive = false;
      conn.ws.ping();
    }
  }
}
