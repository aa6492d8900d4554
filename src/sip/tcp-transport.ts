import { connect, createServer, isIP, type Server, type Socket } from 'node:net';
import { connect as connectTls, createSecureContext, createServer as createTlsServer, rootCertificates, type SecureContext, type TLSSocket } from 'node:tls';
import { performance } from 'node:perf_hooks';
import type { Logger } from '../logging/logger.js';
import { addressKey } from '../shared/address-key.js';
import { SipError } from './sip-error.js';
import { StreamFramer } from './stream-framer.js';

interface Connection {
  readonly id: number;
  readonly socket: Socket;
  readonly address: string;
  readonly port: number;
  /** Accepted from a peer, or opened by us (both count against both limits). */
  readonly inbound: boolean;
  /** The per-address limit's key: the address, or its /64 for IPv6. */
  readonly key: string;
}

/** Connection limits (issue 9 item 10): every accepted socket is a file descriptor. */
export interface TcpLimits {
  /** Connections at once, accepted and opened (SIP_TCP_MAX_CONNECTIONS). */
  readonly maxConnections: number;
  /** Connections at once with one address, accepted or opened by us; IPv6 counted per /64 (SIP_TCP_MAX_PER_ADDRESS). */
  readonly maxPerAddress: number;
  /** An accepted connection that has not sent one complete message by then is closed (SIP_TCP_IDLE_S). */
  readonly firstMessageTimeoutMs: number;
  /** After a complete message, a connection silent this long is closed (SIP_TCP_ESTABLISHED_IDLE_S). */
  readonly idleTimeoutMs: number;
}

export const DEFAULT_TCP_LIMITS: TcpLimits = {
  maxConnections: 2000,
  maxPerAddress: 200,
  firstMessageTimeoutMs: 30_000,
  idleTimeoutMs: 15 * 60_000,
};

/** SIP over TLS (RFC 3261 §26.2.1, RFC 5630): the same stream transport with Node's TLS around it. */
export interface TlsSettings {
  /** PEM certificate (chain) and key of this server (SIP_TLS_CERT/KEY). */
  readonly cert: Buffer;
  readonly key: Buffer;
  /**
   * Check the certificate of a peer we connect to (a trunk): signed by a trusted CA and naming the
   * address we dialled, the IP (subjectAltName IP) for an IP literal, else the host name (SIP_TLS_VERIFY_SERVER).
   */
  readonly verifyServer: boolean;
  /** PEM CA certificates trusted for those peers besides Node's bundled CAs (SIP_TLS_CA). */
  readonly trustedCas?: readonly string[];
}

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
  /** Connections (and connects in progress) per address key. */
  private readonly perAddress = new Map<string, number>();
  /** Connects in progress, counted against the total limit too. */
  private opening = 0;
  private nextId = 1;
  private refused = 0;
  private lastRefusalLog = -Infinity;
  /** Certificate refusals not logged yet (a peer can make us connect back to it again and again). */
  private certRefused = 0;
  private lastCertRefusalLog = -Infinity;
  /** TLS client context with SIP_TLS_CA, built at the first connect (parsing ~150 bundled roots is not free). */
  private clientContext: SecureContext | undefined;

  constructor(
    private readonly logger: Logger,
    private readonly limits: TcpLimits,
    /**
     * Returns whether the message read as a SIP request or response (ends the first-message deadline).
     * `readAt`: when the segment completing it was read (every message framed from one read shares it).
     */
    private readonly onMessage: (data: Buffer, address: string, port: number, connectionId: number, readAt: number) => boolean,
    /** Epoch ms for `readAt`. */
    private readonly now: () => number = Date.now,
    /** Given: SIP over TLS instead of TCP (accepted and opened connections alike). */
    private readonly tls?: TlsSettings,
  ) {}

  /** Open connections (accepted and opened). */
  get connectionCount(): number {
    return this.connections.size;
  }

  /** The bound port (after listen()). */
  get port(): number {
    const bound = this.server?.address();
    return typeof bound === 'object' && bound !== null ? bound.port : 0;
  }

  /** Listens; rejects with SipError `SIP_BIND_FAILED` naming address:port. */
  async listen(address: string, port: number): Promise<void> {
    const accept = (socket: Socket): void => {
      const address = normalise(socket.remoteAddress ?? '');
      const why = this.refusal(addressKey(address));
      if (why !== undefined) {
        socket.on('error', () => undefined);
        socket.destroy();
        this.logRefusal(address, why);
        return;
      }
      this.adopt(socket, true, address);
    };
    const tls = this.tls;
    // TLS: the limits apply once the handshake is done; the handshake itself gets the first-message deadline.
    let server: Server;
    if (tls === undefined) {
      server = createServer(accept);
    } else {
      const tlsServer = createTlsServer({ cert: tls.cert, key: tls.key, handshakeTimeout: this.limits.firstMessageTimeoutMs }, accept);
      tlsServer.maxConnections = this.limits.maxConnections;
      tlsServer.on('tlsClientError', (err: Error) => {
        this.logger.debug('sip tls: handshake failed', { err: err.message });
      });
      server = tlsServer;
    }
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error): void => {
        server.close();
        reject(new SipError('SIP_BIND_FAILED', `cannot bind SIP ${this.tls ? 'TLS' : 'TCP'} ${address}:${port}: ${err.message}`, { cause: err }));
      };
      server.once('error', onError);
      server.listen(port, address, () => {
        server.off('error', onError);
        resolve();
      });
    });
    server.on('error', (err: Error) => {
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

  /**
   * Connects to address:port, e.g. for a response whose connection closed (RFC 3261 §18.2.2: to the
   * Via's `received` and port, which the peer chooses). The same limits as for accepted connections
   * apply, so a peer cannot have us open connections to it past them.
   */
  private open(address: string, port: number): Promise<Connection> {
    if (!this.server) return Promise.reject(new SipError('SIP_SEND_FAILED', 'sip tcp transport is closed'));
    const key = addressKey(normalise(address));
    const why = this.refusal(key);
    if (why !== undefined) {
      this.logRefusal(address, `connect refused: ${why}`);
      return Promise.reject(new SipError('SIP_SEND_FAILED', `tcp connect to ${address}:${port} refused: ${why}`));
    }
    this.opening++;
    this.countAddress(key, 1);
    let reserved = true;
    const release = (): void => {
      if (!reserved) return;
      reserved = false;
      this.opening--;
      this.countAddress(key, -1);
    };
    const tls = this.tls;
    return new Promise((resolve, reject) => {
      const tlsSocket = tls === undefined ? undefined : this.connectTls(tls, address, port);
      const socket = tlsSocket ?? connect({ host: address, port, timeout: CONNECT_TIMEOUT_MS });
      const fail = (err: Error): void => {
        release();
        socket.destroy();
        const refused = tlsSocket === undefined ? undefined : certificateRefusal(tlsSocket, err);
        if (refused !== undefined) this.logCertificateRefusal(`${address}:${port}`, refused, tls?.trustedCas === undefined ? 'bundled' : 'bundled + SIP_TLS_CA');
        const what = refused === undefined ? err.message : `certificate refused: ${refused}`;
        reject(new SipError('SIP_SEND_FAILED', `${tls === undefined ? 'tcp' : 'tls'} connect to ${address}:${port} failed: ${what}`, { cause: err }));
      };
      socket.once('error', fail);
      socket.once('timeout', () => {
        fail(new Error('timeout'));
      });
      socket.once(tls === undefined ? 'connect' : 'secureConnect', () => {
        socket.off('error', fail);
        socket.removeAllListeners('timeout');
        socket.setTimeout(0);
        release();
        resolve(this.adopt(socket, false, address, port));
      });
    });
  }

  /**
   * The peer's certificate must chain to a trusted CA and name the peer we meant (RFC 5922 §7.3 speaks of
   * domains; our targets are IP literals). Node checks the name against `servername` when given, else
   * `host`: an IP literal against the IP subjectAltNames (and it must not go in SNI, RFC 6066 §3), a host
   * name is sent as SNI and checked against the DNS subjectAltNames.
   */
  private connectTls(tls: TlsSettings, address: string, port: number): TLSSocket {
    if (tls.trustedCas !== undefined && this.clientContext === undefined) {
      // `ca` replaces Node's bundled set: list both so the public-CA trunks keep working.
      this.clientContext = createSecureContext({ ca: [...rootCertificates, ...tls.trustedCas] });
    }
    return connectTls({
      host: address,
      port,
      timeout: CONNECT_TIMEOUT_MS,
      rejectUnauthorized: tls.verifyServer,
      ...(this.clientContext === undefined ? {} : { secureContext: this.clientContext }),
      ...(isIP(address) === 0 ? { servername: address } : {}),
    });
  }

  private refusal(key: string): string | undefined {
    if (this.connections.size + this.opening >= this.limits.maxConnections) return `total limit ${this.limits.maxConnections}`;
    if ((this.perAddress.get(key) ?? 0) >= this.limits.maxPerAddress) return `per-address limit ${this.limits.maxPerAddress}`;
    return undefined;
  }

  private countAddress(key: string, delta: number): void {
    const n = (this.perAddress.get(key) ?? 0) + delta;
    if (n > 0) this.perAddress.set(key, n);
    else this.perAddress.delete(key);
  }

  /**
   * RFC 3261 §26.3.1, RFC 5922 §7.3: a server whose certificate does not check out is not talked to.
   * Logged here, where the reason is known (the call above only learns the INVITE could not be sent),
   * at most once per REFUSAL_LOG_INTERVAL_MS with the count of the others: a peer that makes us connect
   * back to it (a Via of its own) must not flood the log.
   */
  private logCertificateRefusal(peer: string, reason: string, trustedCas: string): void {
    this.certRefused++;
    const now = performance.now();
    if (now - this.lastCertRefusalLog < REFUSAL_LOG_INTERVAL_MS) return;
    this.lastCertRefusalLog = now;
    this.logger.warn('sip tls: certificate of the peer refused, not connecting', { peer, reason, trustedCas, refused: this.certRefused });
    this.certRefused = 0;
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
    const key = addressKey(address);
    const conn: Connection = { id: this.nextId++, socket, address, port, inbound, key };
    this.connections.set(conn.id, conn);
    this.countAddress(key, 1);
    const remote = `${conn.address}:${conn.port}`;
    const framer = new StreamFramer();
    // A peer that never sends a SIP message only holds a descriptor: it gets a fixed deadline, not
    // reset by data, and neither RFC 5626 §4.4.1 keep-alive CRLFs nor garbage that frames as a
    // message end it; only a message that reads as a request or response does. Connections we opened
    // get the same rules: the peer chose where we connect.
    let firstMessage: NodeJS.Timeout | undefined = setTimeout(() => {
      this.logger.debug('sip tcp: no SIP message in time, closing', { remote, pendingBytes: framer.pendingBytes });
      socket.destroy();
    }, this.limits.firstMessageTimeoutMs);
    firstMessage.unref();
    // After that, keep-alives and messages keep the connection; bytes of a message that never
    // completes do not (socket.setTimeout would be reset by every byte).
    let idle: NodeJS.Timeout | undefined;
    const armIdle = (): void => {
      clearTimeout(idle);
      idle = setTimeout(() => {
        this.logger.debug('sip tcp connection idle, closing', { remote });
        socket.destroy();
      }, this.limits.idleTimeoutMs);
      idle.unref();
    };
    socket.on('data', (chunk: Buffer) => {
      // Before any message of this read is handled: the later ones must not start their clocks
      // after the earlier ones' work (a trunk multiplexes many INVITEs on one connection).
      const readAt = this.now();
      const messages = framer.push(chunk);
      if (messages === undefined) {
        this.logger.warn('sip tcp: message too large, closing connection', { remote });
        socket.destroy();
        return;
      }
      let sip = false;
      for (const message of messages) sip = this.onMessage(message, conn.address, conn.port, conn.id, readAt) || sip;
      if (sip && firstMessage !== undefined) {
        clearTimeout(firstMessage);
        firstMessage = undefined;
      }
      if (firstMessage === undefined && (messages.length > 0 || framer.pendingBytes === 0)) armIdle();
    });
    socket.on('error', (err) => {
      this.logger.debug('sip tcp connection error', { err: err.message });
    });
    socket.on('close', () => {
      clearTimeout(firstMessage);
      clearTimeout(idle);
      if (!this.connections.delete(conn.id)) return;
      this.countAddress(key, -1);
    });
    return conn;
  }
}

const normalise = (address: string): string => address.replace(/^::ffff:/, '');

/**
 * Why the peer's certificate was refused (OpenSSL's code and text, or the name mismatch), or undefined
 * when the connect failed otherwise (refused, reset, timeout). Node sets `authorizationError` on the
 * socket before it destroys it for an unverified certificate.
 */
function certificateRefusal(socket: TLSSocket, err: NodeJS.ErrnoException): string | undefined {
  const authorizationError: unknown = socket.authorizationError;
  if (authorizationError === null || authorizationError === undefined) return undefined;
  return err.code === undefined ? err.message : `${err.code}: ${err.message}`;
}

