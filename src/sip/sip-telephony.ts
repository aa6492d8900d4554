import type { Server } from 'node:http';
import type { SipOutgoingMessage } from 'sip';
import type { Logger } from '../logging/logger.js';
import type { MediaEngine } from '../media/media-types.js';
import { InvalidStateError } from '../shared/app-error.js';
import { systemClock, type Clock, type Timer } from '../shared/clock.js';
import { TypedEmitter } from '../shared/typed-emitter.js';
import type {
  BridgeHandle, CallLeg, DialRequest, RegistrationEvents, SipCredentialStore, Telephony, TelephonyEvents, TelephonyPbx,
} from '../telephony/call-leg.js';
import type { InboundGate, InboundRoute } from '../telephony/inbound-gate.js';
import type { AdmissionController } from './admission-controller.js';
import { SourceGate } from './source-gate.js';
import { TrunkRegistration, type TrunkRegistrationSpec } from './trunk-registration.js';
import { ClientTransactionLayer } from './client-transaction-layer.js';
import { OutboundDialer } from './outbound-dialer.js';
import type { ThrottleStore } from '../shared/auth-throttle.js';
import { Registrar } from './registrar.js';
import { bridgeLegs } from './sip-bridge.js';
import { SipOutboundCallLeg, type OutboundLegHost } from './sip-outbound-call-leg.js';
import { ServerTransactionLayer } from './server-transaction-layer.js';
import type { ServerTransaction } from './server-transaction.js';
import { SipCallLeg } from './sip-call-leg.js';
import { InviteAdmission } from './invite-admission.js';
import { capabilityHeaders, methodRefusal, newTag, type SipRequest, type SipResponse } from './sip-message.js';
import { SipTransport } from './sip-transport.js';
import { DEFAULT_TCP_LIMITS, type TcpLimits, type TlsSettings } from './tcp-transport.js';
import { sipTimers, type SipTimers } from './sip-types.js';
import { DEFAULT_WS_LIMITS, type WsLimits } from './ws-transport.js';
import { WsFlowKeeper } from './ws-flow-keeper.js';
import type { DialogRequest } from './sip-dialog.js';

export interface SipTelephonyOptions {
  /** IP literal to bind UDP and TCP to, e.g. `0.0.0.0`. */
  readonly listenAddress: string;
  /** UDP and TCP port; 0 lets the OS pick one (tests), read it back from `port` after start(). */
  readonly port: number;
  /** IP literal written in Contact and Via (what the far end can reach). */
  readonly publicAddress: string;
  readonly media: MediaEngine;
  readonly logger: Logger;
  readonly clock?: Clock;
  /** An answered leg is hung up with reason `max-duration` after this long. */
  readonly maxCallDurationMs: number;
  /** Give up on the ACK for our 2xx after this long, then BYE (default 64*T1 = 32 s, §13.3.1.4). */
  readonly noAckTimeoutMs?: number;
  /** When > 0: 180 Ringing is sent and answer() waits this long before the 200 (default 0). */
  readonly answerDelayMs?: number;
  /** RFC 3261 T1 (default 500 ms); T2 = 8*T1, T4 = 10*T1, Timers F/H/J = 64*T1. Tests shorten it. */
  readonly t1Ms?: number;
  /** SIP TCP connection limits and idle times (defaults: DEFAULT_TCP_LIMITS). */
  readonly tcpLimits?: Partial<TcpLimits>;
  /** SIP over WebSocket limits (defaults: DEFAULT_WS_LIMITS); served once attachWebSocket() is called. */
  readonly wsLimits?: Partial<WsLimits>;
  /**
   * An answered call whose WebSocket connection closed is ended like a hangup after this long, unless
   * the client came back on a new connection and sent a request of the call (default 5000 ms).
   */
  readonly wsCallGraceMs?: number;
  /** SIP over TLS (RFC 3261 §26.2, `sips:`/`transport=tls`) on its own port, with the certificate and key given. */
  readonly tls?: { readonly port: number; readonly settings: TlsSettings };
  /** Enables the registrar (REGISTER with digest auth, RFC 3261 §10, §22); without it REGISTER gets 405. */
  readonly credentials?: SipCredentialStore;
  /** Digest realm of the registrar (default: publicAddress). */
  readonly realm?: string;
  /** REGISTER guessing counters (the database's auth_throttles, shared by processes); default: memory. */
  readonly authThrottles?: ThrottleStore;
  /** Longest registration granted; longer requests are shortened (default 3600 s). */
  readonly maxRegisterExpiresS?: number;
  /** Shorter registrations get 423 Interval Too Brief with Min-Expires (default 60 s). */
  readonly minRegisterExpiresS?: number;
  /** Outbound proxy / trunk for `tel:` targets: a SIP URI with an IP literal host (`sip:10.0.0.5:5060`). */
  readonly outboundProxy?: string;
  /** Digest credentials answering a 401/407 from the trunk (once per call). */
  readonly trunkUser?: string;
  readonly trunkPassword?: string;
  /**
   * Overload control for new calls: an out-of-dialog INVITE it refuses gets a 503 with Retry-After at
   * once, with no transaction, leg or media (see AdmissionController). Absent: every INVITE is admitted.
   */
  readonly admission?: AdmissionController;
  /**
   * Who may send out-of-dialog requests and which flow a call gets (trunks, issue 13): refused ones
   * get 403/404 statelessly; a 403'd source that registered an agent is admitted. Absent: all are.
   */
  readonly inboundGate?: InboundGate;
  /** Registrations to carriers (trunks with `registration`), started once SIP listens, ended (Expires: 0) at close. */
  readonly trunkRegistrations?: readonly TrunkRegistrationSpec[];
}


type RequestHandler = (req: SipRequest, tx: ServerTransaction) => void;

/**
 * The embedded SIP engine: a UAS for inbound calls over UDP and TCP, built on the `sip` package's
 * parser and our own transport, transaction and dialog layers (RFC 3261 §17, §12). It implements the
 * `Telephony` port (each inbound INVITE becomes a `SipCallLeg` emitted as `incoming`) and `TelephonyPbx`:
 * a registrar, outbound calls (`SipOutboundCallLeg`) and bridging through the media engine.
 */
export class SipTelephony implements Telephony, TelephonyPbx {
  readonly events = new TypedEmitter<TelephonyEvents>();
  /** `registration` events of the registrar (never emitted without `credentials`). */
  readonly registrations: TypedEmitter<RegistrationEvents>;
  private readonly registrar: Registrar | undefined;
  /** Registrations and calls of WebSocket flows that close or are taken over. */
  private readonly flows: WsFlowKeeper;
  private readonly dialer: OutboundDialer;
  private readonly outbound = new Map<string, SipOutboundCallLeg>();
  private readonly clock: Clock;
  private readonly timers: SipTimers;
  private readonly logger: Logger;
  private readonly transport: SipTransport;
  private readonly serverTransactions: ServerTransactionLayer;
  private readonly clientTransactions: ClientTransactionLayer;
  private readonly legs = new Map<string, SipCallLeg>();
  private readonly legHost: OutboundLegHost;
  /** Overload control of new INVITEs (absent: every INVITE is admitted). */
  private readonly gate: InviteAdmission | undefined;
  /** Trunk / registered-agent admission of out-of-dialog requests (absent: every source is admitted). */
  readonly sourceGate: SourceGate | undefined;
  private readonly carrierRegistrations: TrunkRegistration[] = [];
  private draining = false;
  private closed = false;
  private started = false;
  /** Out-of-dialog requests by method; a method not here is refused 405/501. */
  private readonly handlers: ReadonlyMap<string, RequestHandler> = new Map<string, RequestHandler>([
    ['OPTIONS', (_req, tx) => { tx.respond(200, 'OK', { toTag: newTag(), headers: capabilityHeaders() }); }],
    ['BYE', (_req, tx) => { tx.respond(481, 'Call/Transaction Does Not Exist', { toTag: newTag() }); }],
    ['INFO', (_req, tx) => { tx.respond(481, 'Call/Transaction Does Not Exist', { toTag: newTag() }); }],
    ['REGISTER', (req, tx) => { this.onRegister(req, tx); }],
  ]);

  constructor(private readonly options: SipTelephonyOptions) {
    this.clock = options.clock ?? systemClock;
    this.timers = sipTimers(options.t1Ms ?? 500);
    this.logger = options.logger.child({ component: 'sip' });
    const clock = this.clock;
    this.transport = new SipTransport(
      options.listenAddress,
      options.port,
      this.logger,
      { ...DEFAULT_TCP_LIMITS, ...options.tcpLimits },
      () => clock.now(),
      { ...DEFAULT_WS_LIMITS, ...options.wsLimits },
      options.tls,
    );
    const send = (req: SipRequest, response: SipOutgoingMessage): Promise<void> => this.transport.sendResponse(req, response);
    this.gate = options.admission ? new InviteAdmission({ admission: options.admission, clock, ttlMs: this.timers.txTimeout, send }) : undefined;
    this.sourceGate = options.inboundGate
      ? new SourceGate({ gate: options.inboundGate, isAgentAddress: (a) => this.registrar?.hasBindingFrom(a) ?? false, send, logger: this.logger, clock })
      : undefined;
    this.serverTransactions = new ServerTransactionLayer({ clock: this.clock, timers: this.timers, logger: this.logger, send });
    this.clientTransactions = new ClientTransactionLayer({
      clock: this.clock,
      timers: this.timers,
      logger: this.logger,
      send: (message, target) => this.transport.send(message, target),
    });
    const transport = this.transport;
    this.legHost = {
      clock: this.clock,
      timers: this.timers,
      publicAddress: options.publicAddress,
      get port() {
        return transport.port;
      },
      portFor: (kind) => transport.portFor(kind),
      noAckTimeoutMs: options.noAckTimeoutMs ?? this.timers.txTimeout,
      answerDelayMs: options.answerDelayMs ?? 0,
      maxCallDurationMs: options.maxCallDurationMs,
      sendResponse: send,
      sendRequest: (request) => this.clientTransactions.request(request),
      sendMessage: (message, target) => this.transport.send(message, target),
      startInvite: (branch, message, target, handlers) => this.clientTransactions.invite(branch, message, target, handlers),
    };
    this.registrar = options.credentials
      ? new Registrar({
          credentials: options.credentials,
          realm: options.realm ?? options.publicAddress,
          maxExpiresS: options.maxRegisterExpiresS ?? 3600,
          minExpiresS: options.minRegisterExpiresS ?? 60,
          clock: this.clock,
          logger: this.logger,
          ...(options.authThrottles === undefined ? {} : { throttleStore: options.authThrottles }),
          onFlowReplaced: (flow) => {
            this.flows.flowReplaced(flow);
          },
        })
      : undefined;
    this.registrations = this.registrar?.events ?? new TypedEmitter<RegistrationEvents>();
    this.flows = new WsFlowKeeper({
      clock: this.clock,
      logger: this.logger,
      registrar: this.registrar,
      legs: () => this.allLegs(),
      closeFlow: (flow, code, reason) => {
        this.transport.closeFlow(flow, code, reason);
      },
      callGraceMs: options.wsCallGraceMs ?? 5000,
    });
    this.dialer = new OutboundDialer({
      host: this.legHost,
      media: options.media,
      logger: this.logger,
      registrar: this.registrar,
      trunk: { outboundProxy: options.outboundProxy, trunkUser: options.trunkUser, trunkPassword: options.trunkPassword },
      track: (leg) => {
        this.outbound.set(leg.id, leg);
        leg.events.once('ended', () => {
          if (this.outbound.get(leg.id) === leg) this.outbound.delete(leg.id);
        });
      },
      refusal: () => (this.closed ? 'sip engine is closed' : this.draining ? 'sip engine is draining' : !this.started ? 'sip engine not started' : undefined),
    });
  }

  /** True while the extension has an unexpired registration. */
  isRegistered(extension: string): boolean {
    return this.registrar?.isRegistered(extension) ?? false;
  }

  /**
   * How the extension is registered: a browser phone (over a WebSocket), a desk phone (UDP, TCP, TLS:
   * also a desk softphone with ICE, `+sip.ice`, which gets WebRTC offers), or not.
   */
  registeredPhone(extension: string): 'browser' | 'desk' | null {
    const binding = this.registrar?.lookup(extension);
    if (binding === undefined) return null;
    const transport = binding.target.transport;
    return transport === 'ws' || transport === 'wss' ? 'browser' : 'desk';
  }

  /**
   * Forgets the extension's registration now (its SIP credentials changed or its agent was
   * disabled): calls to it find no phone until it registers again with the stored credentials.
   */
  dropRegistration(extension: string): void {
    this.registrar?.drop(extension);
  }

  /**
   * Starts an outbound call and returns its leg at once (state `ringing`, `progress` events), so the
   * caller can listen before the answer; `leg.connected` settles like dial().
   */
  originate(request: DialRequest, signal?: AbortSignal): SipOutboundCallLeg {
    return this.dialer.originate(request, signal);
  }

  dial(request: DialRequest, signal?: AbortSignal): Promise<CallLeg> {
    return this.originate(request, signal).connected;
  }

  /** Relays two answered legs of this engine through the media engine (`a` left, `b` right channel). */
  bridge(a: CallLeg, b: CallLeg, options: { recordingPath?: string } = {}): BridgeHandle {
    for (const leg of [a, b]) {
      if (this.legs.get(leg.id) !== leg && this.outbound.get(leg.id) !== leg) throw new InvalidStateError(`leg ${leg.id} is not a live call of this engine`);
    }
    const handle = bridgeLegs(this.options.media, a, b, options);
    this.logger.info('sip: legs bridged', { a: a.id, b: b.id, recording: options.recordingPath !== undefined });
    return handle;
  }

  get activeCalls(): number {
    return this.allLegs().filter((leg) => leg.state !== 'ended').length;
  }

  /** Legs up now (ringing or answered, inbound and outbound): what the admission cap counts, in O(1). */
  private get liveLegs(): number {
    return this.legs.size + this.outbound.size;
  }

  /** Each carrier registration's trunk and whether the carrier accepts it now (for /metrics). */
  trunkRegistrationStates(): ReadonlyMap<string, boolean> {
    return new Map(this.carrierRegistrations.map((r) => [r.spec.trunk, r.registered]));
  }

  /**
   * Serves SIP over WebSocket at `/sip` on an HTTP(S) server sharing its port (RFC 7118); `secure` for
   * HTTPS (the clients are then `wss`). Returns the detacher; close() detaches too.
   */
  attachWebSocket(server: Server, secure: boolean): () => void {
    return this.transport.attachWebSocket(server, secure);
  }

  /** Open SIP WebSocket connections. */
  get wsConnections(): number {
    return this.transport.wsConnections;
  }

  /** The bound SIP TLS port; 0 without TLS. */
  get tlsPort(): number {
    return this.transport.tlsPort;
  }

  /** The bound SIP port (UDP and TCP). */
  get port(): number {
    return this.transport.port;
  }

  async start(): Promise<void> {
    if (this.closed) throw new InvalidStateError('sip engine is closed');
    if (this.started) return;
    this.transport.events.on('request', (req) => {
      this.onRequest(req);
    });
    this.transport.events.on('response', (res) => {
      this.onResponse(res);
    });
    this.transport.events.on('flow-closed', (source) => {
      this.flows.flowClosed(source);
    });
    const port = await this.transport.start();
    this.started = true;
    const regHost = { clock: this.clock, logger: this.logger, publicAddress: this.options.publicAddress, port, sendRequest: (r: DialogRequest) => this.clientTransactions.request(r) };
    for (const spec of this.options.trunkRegistrations ?? []) {
      const registration = new TrunkRegistration(spec, regHost);
      this.carrierRegistrations.push(registration);
      registration.start();
    }
    this.logger.info('sip: listening', {
      address: this.options.listenAddress,
      port,
      transports: this.options.tls === undefined ? 'udp,tcp' : 'udp,tcp,tls',
      ...(this.options.tls === undefined ? {} : { tlsPort: this.transport.tlsPort }),
    });
  }

  async drain(timeoutMs: number): Promise<void> {
    this.draining = true;
    this.logger.info('sip: draining', { activeCalls: this.activeCalls, timeoutMs });
    await new Promise<void>((resolve) => {
      const check = (): void => {
        if (this.activeCalls > 0) return;
        this.clock.clearTimeout(timer);
        for (const leg of this.allLegs()) leg.events.off('ended', check);
        resolve();
      };
      const timer = this.clock.setTimeout(() => {
        for (const leg of this.allLegs()) leg.events.off('ended', check);
        resolve();
      }, timeoutMs);
      for (const leg of this.allLegs()) leg.events.on('ended', check);
      check();
    });
    const rest = this.allLegs().filter((leg) => leg.state !== 'ended');
    if (rest.length > 0) this.logger.warn('sip: drain timeout, hanging up', { calls: rest.length });
    await Promise.all(rest.map((leg) => leg.hangup('shutdown')));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.draining = true;
    for (const leg of [...this.legs.values(), ...this.awaitingAck.values(), ...this.outbound.values()]) leg.close();
    this.legs.clear();
    this.outbound.clear();
    this.registrar?.close();
    for (const registration of this.carrierRegistrations) registration.close();
    this.awaitingAck.clear();
    this.gate?.close();
    for (const timer of this.cleanupTimers) this.clock.clearTimeout(timer);
    this.cleanupTimers.clear();
    this.flows.close();
    // Let the BYEs just queued reach the socket before it closes.
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.clientTransactions.close();
    this.serverTransactions.close();
    this.transport.close();
    this.logger.info('sip: closed');
  }

  private onRequest(req: SipRequest): void {
    if (this.closed) return;
    if (req.method === 'ACK') {
      this.onAck(req);
      return;
    }
    const existing = this.serverTransactions.find(req);
    if (existing) {
      existing.retransmitted();
      return;
    }
    // Before anything costs (a transaction, the overload budget): only trunks and agents' addresses
    // may start anything. REGISTER is judged by its digest, OPTIONS answered to anyone (keep-alive),
    // CANCEL acts only on a transaction the INVITE's admission let in.
    let route: InboundRoute | undefined;
    if (req.toTag === undefined && this.sourceGate && req.method !== 'REGISTER' && req.method !== 'OPTIONS' && req.method !== 'CANCEL') {
      route = this.sourceGate.admit(req);
      if (route === undefined) return;
    }
    // Before anything else a new call costs: a transaction, a leg, an RTP port, a call record.
    if (req.method === 'INVITE' && req.toTag === undefined && this.gate?.refused(req, this.liveLegs) === true) return;
    if (req.method === 'CANCEL') {
      this.onCancel(req);
      return;
    }
    const tx = this.serverTransactions.create(req);
    if (req.toTag !== undefined) {
      const leg = this.legs.get(req.callId) ?? this.outbound.get(req.callId);
      if (leg?.matches(req)) leg.handleRequest(req, tx);
      else tx.respond(481, 'Call/Transaction Does Not Exist');
      return;
    }
    if (req.method === 'INVITE') {
      this.onInvite(req, tx, route);
      return;
    }
    const handler = this.handlers.get(req.method);
    if (handler) {
      handler(req, tx);
      return;
    }
    const refusal = methodRefusal(req.method);
    tx.respond(refusal.status, refusal.reason, { toTag: newTag(), headers: refusal.headers });
  }

  /** ACK for a non-2xx goes to its INVITE transaction (§17.2.1); ACK for a 2xx to the dialog (§13.3.1.4). */
  private onAck(req: SipRequest): void {
    const tx = this.serverTransactions.find(req);
    if (tx?.isInvite && tx.state === 'completed') {
      tx.acknowledged();
      return;
    }
    const leg = this.legs.get(req.callId) ?? this.outbound.get(req.callId);
    if (leg?.matches(req)) leg.acknowledge(req);
    else this.pendingByeLeg(req)?.acknowledge(req);
  }

  /** A leg that ended locally while its 2xx was unacknowledged is out of `legs` but still waits for the ACK. */
  private pendingByeLeg(req: SipRequest): SipCallLeg | undefined {
    const leg = this.awaitingAck.get(req.callId);
    return leg?.matches(req) ? leg : undefined;
  }

  private readonly awaitingAck = new Map<string, SipCallLeg>();
  private readonly cleanupTimers = new Set<Timer>();

  /** §9.2: 200 to the CANCEL, then 487 to the INVITE if it is still unanswered; 481 when nothing matches. */
  private onCancel(req: SipRequest): void {
    const invite = this.serverTransactions.findInviteFor(req);
    const tx = this.serverTransactions.create(req);
    const leg = this.legs.get(req.callId);
    if (!invite) {
      tx.respond(481, 'Call/Transaction Does Not Exist', { toTag: newTag() });
      return;
    }
    tx.respond(200, 'OK', { toTag: leg?.localTag ?? newTag() });
    leg?.cancel();
  }

  private onInvite(req: SipRequest, tx: ServerTransaction, route: InboundRoute | undefined): void {
    const refuse = (status: number, reason: string, headers: Record<string, string> = {}): void => {
      tx.respond(status, reason, { toTag: newTag(), headers });
    };
    if (this.draining) {
      refuse(503, 'Service Unavailable', { 'retry-after': '60' });
      return;
    }
    if (this.legs.has(req.callId)) {
      // §8.2.2.2: same Call-ID and From tag, new transaction, no To tag = a merged (looped) request.
      refuse(482, 'Loop Detected');
      return;
    }
    if (req.body.length > 0 && req.contentType !== 'application/sdp') {
      refuse(415, 'Unsupported Media Type', { accept: 'application/sdp' });
      return;
    }
    tx.respond(100, 'Trying');
    const leg = new SipCallLeg(this.legHost, req, tx, this.logger, route);
    this.legs.set(leg.id, leg);
    leg.events.once('ended', () => {
      if (this.legs.get(leg.id) === leg) this.legs.delete(leg.id);
      if (leg.pendingAck) {
        // Kept until the ACK or the 2xx gives up, so the BYE can follow the ACK (§15).
        this.awaitingAck.set(leg.id, leg);
        const timer = this.clock.setTimeout(() => {
          this.cleanupTimers.delete(timer);
          this.awaitingAck.delete(leg.id);
        }, this.legHost.noAckTimeoutMs);
        this.cleanupTimers.add(timer);
      }
    });
    if (this.legHost.answerDelayMs > 0) leg.ring();
    this.options.media.createSession(req.callId).then(
      (session) => {
        if (leg.state === 'ended' || this.closed) {
          session.close();
          // Cancelled (or dropped) before its media was ready, as under load: still a call, offered
          // ended so that its record is written (answer() refuses, the record says why it ended).
          if (!this.closed) this.offerEnded(leg);
          return;
        }
        leg.attachSession(session);
        if (this.events.listenerCount('incoming') === 0) {
          leg.logger.warn('sip: no listener for incoming calls, rejecting');
          leg.reject(480, 'Temporarily Unavailable');
          return;
        }
        this.events.emit('incoming', leg);
      },
      (err: unknown) => {
        leg.logger.error('sip: cannot create media session', { err: err instanceof Error ? err.message : String(err) });
        if (leg.state === 'ringing') leg.reject(503, 'Service Unavailable');
        if (!this.closed) this.offerEnded(leg);
      },
    );
  }

  /** An inbound call that ended before it could be offered: listeners get it ended, to record it. */
  private offerEnded(leg: SipCallLeg): void {
    if (leg.state === 'ended' && this.events.listenerCount('incoming') > 0) this.events.emit('incoming', leg);
  }

  private onResponse(res: SipResponse): void {
    // Responses with no matching client transaction are ignored (§17.1.3, §18.1.2).
    this.clientTransactions.receive(res);
  }

  private onRegister(req: SipRequest, tx: ServerTransaction): void {
    if (this.registrar) {
      this.registrar.handle(req, tx);
      return;
    }
    const refusal = methodRefusal(req.method);
    tx.respond(refusal.status, refusal.reason, { toTag: newTag(), headers: refusal.headers });
  }

  /** Inbound legs, then outbound ones. */
  private allLegs(): (SipCallLeg | SipOutboundCallLeg)[] {
    return [...this.legs.values(), ...this.outbound.values()];
  }
}
