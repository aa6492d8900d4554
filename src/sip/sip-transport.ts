import type { Server } from 'node:http';
import type { SipOutgoingMessage } from 'sip';
import type { Logger } from '../logging/logger.js';
import { TypedEmitter } from '../shared/typed-emitter.js';
import { validateMessage, type Inbound } from './request-validator.js';
import { SipError } from './sip-error.js';
import { paramString, type SipRequest, type SipResponse } from './sip-message.js';
import { DEFAULT_SIP_LIMITS } from './sip-parser.js';
import { serializeSipMessage } from './sip-serializer.js';
import { isFlowOnly, type Endpoint, type TransportKind } from './sip-types.js';
import { DEFAULT_TCP_LIMITS, TcpTransport, type TcpLimits, type TlsSettings } from './tcp-transport.js';
import { UdpTransport } from './udp-transport.js';
import { DEFAULT_WS_LIMITS, WsTransport, type WsLimits } from './ws-transport.js';

export interface SipTransportEvents extends Record<string, unknown[]> {
  request: [request: SipRequest];
  response: [response: SipResponse];
  /** A WebSocket client's connection closed (RFC 7118 §5: its flow is gone for good). */
  'flow-closed': [source: Endpoint];
}

const BIND_ATTEMPTS = 5;

/**
 * The transport layer (RFC 3261 §18): UDP and TCP on one port, every received message validated
 * (refusals answered here, unreadable input dropped and logged), and responses routed back per Via.
 */
export class SipTransport {
  readonly events = new TypedEmitter<SipTransportEvents>();
  private readonly udp: UdpTransport;
  private readonly tcp: TcpTransport;
  private readonly ws: WsTransport;
  /** SIP over TLS, when configured. */
  private readonly tls: TcpTransport | undefined;
  private boundPort = 0;
  /**
   * Bytes of each response sent, by response: a transaction resends its last response for every
   * retransmitted request (§17.2.1) and the TU resends its 2xx until the ACK (§13.3.1.4), the same
   * object each time; under overload that is most of what is sent. Responses are never changed after
   * they are built (sip-message.ts buildResponse), so the bytes stay right; weak, so they go with it.
   */
  private readonly encodedResponses = new WeakMap<SipOutgoingMessage, Buffer>();

  constructor(
    private readonly listenAddress: string,
    private readonly requestedPort: number,
    private readonly logger: Logger,
    tcpLimits: TcpLimits = DEFAULT_TCP_LIMITS,
    /** Epoch ms: stamps each message's `receivedAt` (the engine's clock). */
    private readonly now: () => number = Date.now,
    wsLimits: WsLimits = DEFAULT_WS_LIMITS,
    /** SIP over TLS on its own port (0: the OS picks one), with the same limits as TCP. */
    private readonly tlsListener?: { readonly port: number; readonly settings: TlsSettings },
  ) {
    // Stamped when the datagram was read, before parsing: latency counters start there.
    this.udp = new UdpTransport(logger, (data, address, port) => {
      this.receive(data, { transport: 'udp', address, port }, this.now());
    });
    this.tcp = new TcpTransport(
      logger,
      tcpLimits,
      (data, address, port, connectionId, readAt) => this.receive(data, { transport: 'tcp', address, port, connectionId }, readAt),
      this.now,
    );
    this.tls =
      tlsListener === undefined
        ? undefined
        : new TcpTransport(
            logger,
            tcpLimits,
            (data, address, port, connectionId, readAt) => this.receive(data, { transport: 'tls', address, port, connectionId }, readAt),
            this.now,
            tlsListener.settings,
          );
    this.ws = new WsTransport(
      logger,
      wsLimits,
      (data, source, readAt) => this.receive(data, source, readAt),
      (source) => this.events.emit('flow-closed', source),
      this.now,
    );
  }

  /** Serves SIP over WebSocket on an HTTP(S) server at `/sip` (RFC 7118); returns the detacher. */
  attachWebSocket(server: Server, secure: boolean): () => void {
    return this.ws.attach(server, secure);
  }

  /**
   * Closes a WebSocket flow with an application close code (see WsTransport.closeConnection); other
   * transports have nothing to close (a UDP phone is not connected, a TCP one keeps its connection).
   */
  closeFlow(flow: Endpoint, code: number, reason: string): boolean {
    if (!isFlowOnly(flow.transport) || flow.connectionId === undefined) return false;
    return this.ws.closeConnection(flow.connectionId, code, reason);
  }

  /** Open SIP WebSocket connections (for /metrics and tests). */
  get wsConnections(): number {
    return this.ws.connectionCount;
  }

  /** Open SIP TCP connections (for /metrics and tests). */
  get tcpConnections(): number {
    return this.tcp.connectionCount;
  }

  /** The bound port (the requested one, or the one the OS picked for port 0). */
  get port(): number {
    return this.boundPort;
  }

  /** The bound TLS port; 0 when TLS is not configured. */
  get tlsPort(): number {
    return this.tls?.port ?? 0;
  }

  /** Our port for a transport, as written in Via and Contact (RFC 3261 §18.2.1): the TLS port for TLS. */
  portFor(kind: TransportKind): number {
    return kind === 'tls' && this.tls !== undefined ? this.tls.port : this.boundPort;
  }

  /**
   * Binds UDP then TCP on the same port (with port 0, retries when TCP finds the UDP port taken), then
   * TLS on its own port when configured.
   */
  async start(): Promise<number> {
    for (let attempt = 1; ; attempt++) {
      const port = await this.udp.bind(this.listenAddress, this.requestedPort);
      try {
        await this.tcp.listen(this.listenAddress, port);
        this.boundPort = port;
        break;
      } catch (err) {
        this.udp.close();
        if (this.requestedPort !== 0 || attempt >= BIND_ATTEMPTS) throw err;
      }
    }
    if (this.tls !== undefined && this.tlsListener !== undefined) await this.tls.listen(this.listenAddress, this.tlsListener.port);
    return this.boundPort;
  }

  /**
   * Sends a response to where the request's top Via says (RFC 3261 §18.2.2, RFC 3581 §4): over the
   * same TCP connection while it is open; on UDP to `received`:`rport` (symmetric response routing).
   */
  sendResponse(req: SipRequest, response: SipOutgoingMessage): Promise<void> {
    const via = req.topVia;
    const address = paramString(via.params, 'received') ?? via.host;
    const rport = Number(paramString(via.params, 'rport'));
    const viaPort = via.port !== undefined && Number.isFinite(via.port) && via.port > 0 ? via.port : req.source.transport === 'tls' ? 5061 : 5060;
    const port = req.source.transport === 'udp' && Number.isInteger(rport) && rport > 0 ? rport : viaPort;
    // A WebSocket client is reached over its connection or not at all (RFC 7118 §5).
    const open = req.source.transport === 'tcp' ? this.tcp.isOpen(req.source.connectionId) : req.source.transport === 'tls' && this.tls?.isOpen(req.source.connectionId) === true;
    const target: Endpoint =
      open || isFlowOnly(req.source.transport)
        ? req.source
        : { transport: req.source.transport, address, port };
    let data = this.encodedResponses.get(response);
    if (data === undefined) {
      const encoded = encode(response);
      if (encoded instanceof SipError) return Promise.reject(encoded);
      data = encoded;
      this.encodedResponses.set(response, data);
    }
    return this.sendBytes(data, target);
  }

  /** Serialises and sends; latin1 strings become bytes one to one. */
  send(message: SipOutgoingMessage, target: Endpoint): Promise<void> {
    const data = encode(message);
    return data instanceof SipError ? Promise.reject(data) : this.sendBytes(data, target);
  }

  sendBytes(data: Buffer, target: Endpoint): Promise<void> {
    switch (target.transport) {
      case 'udp':
        return this.udp.send(data, target.address, target.port);
      case 'tcp':
        return this.tcp.send(data, target.address, target.port, target.connectionId);
      case 'ws':
      case 'wss':
        return this.ws.send(data, target.connectionId);
      case 'tls':
        return this.tls === undefined
          ? Promise.reject(new SipError('SIP_SEND_FAILED', 'sip tls transport is not configured (SIP_TLS_CERT/KEY)'))
          : this.tls.send(data, target.address, target.port, target.connectionId);
    }
  }

  close(): void {
    this.udp.close();
    this.tcp.close();
    this.tls?.close();
    this.ws.close();
    this.events.removeAllListeners();
  }

  /** Returns whether the bytes read as a SIP request or response. */
  private receive(data: Buffer, source: Endpoint, receivedAt: number): boolean {
    let inbound: Inbound;
    try {
      inbound = validateMessage(data, source, DEFAULT_SIP_LIMITS, receivedAt);
    } catch (err) {
      inbound = { kind: 'drop', why: err instanceof Error ? err.message : String(err) };
    }
    // Built only for the log lines below: most messages need none.
    const from = (): string => `${source.transport}:${source.address}:${source.port}`;
    try {
      switch (inbound.kind) {
        case 'request':
          this.events.emit('request', inbound.request);
          break;
        case 'response':
          this.events.emit('response', inbound.response);
          break;
        case 'refuse':
          this.logger.info('sip: refused malformed request', { from: from(), why: inbound.why });
          this.send(inbound.reply, source).catch((err: unknown) => {
            this.logger.warn('sip: cannot send refusal', { from: from(), err: err instanceof Error ? err.message : String(err) });
          });
          break;
        case 'drop':
          this.logger.warn('sip: dropped unreadable message', { from: from(), why: inbound.why, bytes: data.length });
          break;
      }
    } catch (err) {
      // A handler bug must not take the process down with it: log and carry on.
      this.logger.error('sip: error while handling a message', { from: from(), err: err instanceof Error ? err.stack : String(err) });
    }
    return inbound.kind === 'request' || inbound.kind === 'response';
  }
}

/** A message as bytes, or SipError `SIP_SEND_FAILED` when it cannot be written (a header of the wrong shape). */
function encode(message: SipOutgoingMessage): Buffer | SipError {
  try {
    return Buffer.from(serializeSipMessage(message), 'latin1');
  } catch (err) {
    return new SipError('SIP_SEND_FAILED', 'cannot stringify SIP message', { cause: err });
  }
}
