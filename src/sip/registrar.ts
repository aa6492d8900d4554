import { isIP } from 'node:net';
import { parseUri, stringifyUri, type SipNameAddr, type SipUri } from 'sip';
import type { Logger } from '../logging/logger.js';
import { AuthThrottle, MemoryThrottleStore, type Admission, type ThrottleRule, type ThrottleStore } from '../shared/auth-throttle.js';
import type { Clock, Timer } from '../shared/clock.js';
import { maskPhone } from '../shared/mask.js';
import { TypedEmitter } from '../shared/typed-emitter.js';
import type { RegistrationEvents, SipCredentialStore } from '../telephony/call-leg.js';
import { NonceCounter, NonceSigner, digestParams, digestResponse, type DigestParams } from './digest-auth.js';
import type { ServerTransaction } from './server-transaction.js';
import { headerString, newTag, paramString, userOf, type SipRequest } from './sip-message.js';
import { isFlowOnly, transportParam, type Endpoint } from './sip-types.js';
import { contactWantsWebRtc } from './webrtc-contact.js';

/** Where an extension can be reached, as learnt from its last REGISTER (RFC 3261 §10.3). */
export interface Binding {
  readonly extension: string;
  /** Contact URI to use as Request-URI (host:port replaced by the packet source behind NAT). */
  readonly contact: string;
  /** Contact as the phone wrote it: listed back in the 200 (§10.3 step 8). */
  readonly registeredContact: string;
  /** Next hop for requests to the extension; for TCP the connection the REGISTER came over. */
  readonly target: Endpoint;
  readonly expiresAt: number;
  readonly callId: string;
  readonly cseq: number;
  /** The IP the REGISTER came from: calls from there count as the agent's (InboundGate's 403 spares it). */
  readonly source: string;
  /** A browser phone (WebSocket transport or `+sip.ice`): calls to it offer WebRTC media (see contactWantsWebRtc). */
  readonly webrtc: boolean;
}

export interface RegistrarOptions {
  readonly credentials: SipCredentialStore;
  readonly realm: string;
  readonly maxExpiresS: number;
  readonly minExpiresS: number;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Where guessing counters live (the database, shared by processes); default: memory. */
  readonly throttleStore?: ThrottleStore;
  /**
   * A newer registration (a second tab, a desk phone) replaced a binding held by a WebSocket flow: the
   * engine closes that flow once nothing uses it, so the browser knows it was taken over.
   */
  readonly onFlowReplaced?: (flow: Endpoint) => void;
}

const NONCE_LIFETIME_MS = 5 * 60_000;
const DEFAULT_EXPIRES_S = 3600;
const MINUTE = 60_000;

/**
 * Digest guessing limits (the same shape as HTTP login, counted apart under `sip:`): one extension
 * from one address 5 free failures in 15 min, then 1 s, 2 s, … up to 15 min between attempts; one
 * address 20 free over all extensions; one extension from all addresses 10 free, then at most one
 * try a minute, except from addresses it registered from in the last 30 days (its own desk phone).
 */
export const REGISTER_RULES: readonly ThrottleRule[] = [
  { scope: 'account-address', free: 5, windowMs: 15 * MINUTE, baseDelayMs: 1000, maxDelayMs: 15 * MINUTE },
  { scope: 'address', free: 20, windowMs: 15 * MINUTE, baseDelayMs: 1000, maxDelayMs: 15 * MINUTE },
  { scope: 'account', free: 10, windowMs: 15 * MINUTE, baseDelayMs: 1000, maxDelayMs: MINUTE },
];

/**
 * The registrar (RFC 3261 §10.3) with digest authentication (§22): one binding per extension, kept
 * in memory, expired on the injected clock. Emits `registration` on `events`.
 *
 * Replay protection: nonces are bound to the address they were sent to and live 5 minutes (then
 * `stale=true`); the nonce count must grow on every use of a nonce. Credentials captured on the
 * wire therefore register nothing from another address, nor twice from the same one.
 */
export class Registrar {
  readonly events = new TypedEmitter<RegistrationEvents>();
  private readonly bindings = new Map<string, { binding: Binding; timer: Timer }>();
  private readonly nonces: NonceSigner;
  private readonly counts = new NonceCounter(NONCE_LIFETIME_MS);
  private readonly throttle: AuthThrottle;
  /** Counts drop() calls; `droppedAt` keeps the count at each extension's last drop. */
  private drops = 0;
  /** Live bindings per source IP (several phones may share one NAT address). */
  private readonly sources = new Map<string, number>();
  private readonly droppedAt = new Map<string, number>();

  constructor(private readonly options: RegistrarOptions) {
    this.nonces = new NonceSigner(options.realm, NONCE_LIFETIME_MS);
    this.throttle = new AuthThrottle(options.throttleStore ?? new MemoryThrottleStore(), options.clock, {
      kind: 'sip',
      rules: REGISTER_RULES,
      trustMs: 30 * 24 * 60 * MINUTE,
    });
  }

  isRegistered(extension: string): boolean {
    return this.lookup(extension) !== undefined;
  }

  lookup(extension: string): Binding | undefined {
    const entry = this.bindings.get(extension);
    return entry && entry.binding.expiresAt > this.options.clock.now() ? entry.binding : undefined;
  }

  /** True while some extension has a binding registered from this IP (a packet source as the socket reported it). */
  hasBindingFrom(address: string): boolean {
    return (this.sources.get(address) ?? 0) > 0;
  }

  /**
   * Forgets the extension's binding at once (its SIP password was reset, or its agent disabled): no
   * call reaches the phone until it registers again, with the credentials stored now. A REGISTER
   * whose credentials were checked before the drop is challenged again rather than bound.
   */
  drop(extension: string): void {
    this.droppedAt.set(extension, ++this.drops);
    this.remove(extension, 'dropped');
  }

  /**
   * A WebSocket client's connection closed: its binding goes with it (RFC 5626 §6: a registrar removes a
   * binding whose flow failed; RFC 7118 §5: nothing else reaches the client). A binding that another
   * connection (a second tab, a desk phone) has since replaced is not touched.
   */
  flowClosed(source: Endpoint): void {
    for (const [extension, { binding }] of [...this.bindings]) {
      if (binding.target.transport === source.transport && binding.target.connectionId === source.connectionId) this.remove(extension, 'disconnected');
    }
  }

  /** True while some extension's binding goes over this WebSocket connection. */
  bindsFlow(flow: Endpoint): boolean {
    for (const { binding } of this.bindings.values()) if (sameFlow(binding.target, flow)) return true;
    return false;
  }

  close(): void {
    for (const { timer } of this.bindings.values()) this.options.clock.clearTimeout(timer);
    this.bindings.clear();
    this.sources.clear();
    this.events.removeAllListeners();
  }

  handle(req: SipRequest, tx: ServerTransaction): void {
    const dropsBefore = this.drops;
    this.authenticate(req, tx).then(
      (user) => {
        if (user === null || tx.finalSent) return;
        // Checked against the credentials of before a drop (the HA1 read, then reset): try again.
        if ((this.droppedAt.get(user) ?? 0) > dropsBefore) {
          tx.respond(401, 'Unauthorized', { toTag: newTag(), headers: { 'www-authenticate': this.nonces.challenge(this.options.clock.now(), req.source.address, false) } });
          return;
        }
        this.register(req, tx, user);
      },
      (err: unknown) => {
        this.options.logger.error('sip: registrar failure', { err: err instanceof Error ? err.message : String(err) });
        if (!tx.finalSent) tx.respond(500, 'Server Internal Error', { toTag: newTag() });
      },
    );
  }

  /** §22.4: resolves with the authenticated user, or null once a 401/403 was sent. */
  private async authenticate(req: SipRequest, tx: ServerTransaction): Promise<string | null> {
    const { clock, realm, logger } = this.options;
    const now = clock.now();
    const source = req.source.address;
    const challenge = (stale: boolean): null => {
      tx.respond(401, 'Unauthorized', { toTag: newTag(), headers: { 'www-authenticate': this.nonces.challenge(clock.now(), source, stale) } });
      return null;
    };
    const headers = req.message.headers.authorization ?? [];
    const auth = headers.map(digestParams).find((p): p is DigestParams => p !== undefined && p.realm === realm);
    if (!auth) return challenge(false);
    const user = auth.username ?? '';
    const nonce = auth.nonce ?? '';
    // A nonce issued to another address (a replay, or a phone that moved) is answered with a
    // fresh challenge for this address: no password was tried, so it is not a failure.
    const check = this.nonces.check(nonce, now, source);
    if (check === 'stale') return challenge(true);
    if (check === 'invalid') return challenge(false);
    // Counted before anything about the credentials is believed (issue 9, item 6): malformed ones
    // are a failed try like wrong ones, so no packet reaches the counters unthrottled.
    const attempt = await this.throttle.admit(user, source);
    if (attempt.waitMs > 0) {
      logger.warn('sip: REGISTER refused, too many failures', { user: maskPhone(user), source, retryInS: Math.ceil(attempt.waitMs / 1000) });
      return this.forbid(tx);
    }
    const qop = auth.qop;
    if ((qop !== undefined && qop !== 'auth') || (qop === 'auth' && (auth.nc === undefined || auth.cnonce === undefined)) || auth.uri === undefined) {
      await this.fail(attempt, req, 'malformed credentials');
      return this.forbid(tx);
    }
    const ha1 = user === '' ? undefined : await this.options.credentials.findHa1(user, realm);
    const expected = ha1 === undefined ? undefined : digestResponse({ ha1, method: 'REGISTER', uri: auth.uri, nonce, qop, nc: auth.nc, cnonce: auth.cnonce });
    // §10.3 step 3+6: the credentials must be right and their user must own the AOR (the To user).
    if (expected === undefined || expected !== auth.response?.toLowerCase() || user !== userOf(req.to.uri)) {
      await this.fail(attempt, req, ha1 === undefined ? 'unknown user' : 'wrong credentials');
      return this.forbid(tx);
    }
    // RFC 7616 §3.4.5: the same nonce count twice is a replay. The credentials were right, so a
    // phone that resent them gets stale=true and answers the new nonce without asking anyone.
    const nc = qop === 'auth' ? Number.parseInt(auth.nc ?? '', 16) : 1;
    if (!this.counts.advance(nonce, nc, clock.now())) {
      logger.warn('sip: REGISTER nonce count reused', { user: maskPhone(user), source });
      // No password was guessed: the attempt is given back.
      await this.throttle.giveBack(attempt);
      return challenge(true);
    }
    await this.throttle.recordSuccess(attempt);
    return user;
  }

  private forbid(tx: ServerTransaction): null {
    tx.respond(403, 'Forbidden', { toTag: newTag() });
    return null;
  }

  private async fail(attempt: Admission, req: SipRequest, why: string): Promise<void> {
    this.options.logger.info('sip: REGISTER authentication failed', { user: maskPhone(attempt.account), source: req.source.address, why });
    await this.throttle.recordFailure(attempt);
  }

  /** §10.3 steps 5-8: add, refresh or remove the binding, then 200 listing the current one. */
  private register(req: SipRequest, tx: ServerTransaction, extension: string): void {
    const { minExpiresS, maxExpiresS, clock, logger } = this.options;
    const contact = req.message.headers.contact;
    const expiresHeader = headerString(req.message, 'expires');
    const headerExpires = expiresHeader === undefined ? undefined : Number.parseInt(expiresHeader, 10);
    const current = this.bindings.get(extension)?.binding;
    if (current?.callId === req.callId && req.cseq.seq <= current.cseq) {
      // §10.3 step 7: an older or repeated request for the same binding is aborted.
      tx.respond(500, 'Server Internal Error', { toTag: newTag(), headers: { 'retry-after': '1' } });
      return;
    }
    if (contact === '*') {
      if (headerExpires !== 0) {
        tx.respond(400, 'Bad Request', { toTag: newTag() });
        return;
      }
      this.remove(extension, 'unregistered');
      tx.respond(200, 'OK', { toTag: newTag() });
      return;
    }
    const first: SipNameAddr | undefined = Array.isArray(contact) ? contact[0] : undefined;
    if (!first) {
      // A query (§10.2.3): list what is bound.
      tx.respond(200, 'OK', { toTag: newTag(), headers: this.contactHeaders(extension) });
      return;
    }
    const paramExpires = paramString(first.params, 'expires');
    const raw = paramExpires !== undefined ? Number.parseInt(paramExpires, 10) : (headerExpires ?? DEFAULT_EXPIRES_S);
    const requested = Number.isFinite(raw) && raw >= 0 ? raw : DEFAULT_EXPIRES_S;
    if (requested === 0) {
      // §10.3 step 6: a zero expiry removes the binding of *that* contact. A tab (or phone) that lost
      // the extension to a newer registration and unregisters afterwards leaves the newer one alone.
      // (`Contact: *` arrives parsed as a URI `*`: it removes every binding, §10.2.2.)
      if (current !== undefined && (first.uri === '*' || sameContact(current.registeredContact, first.uri))) this.remove(extension, 'unregistered');
      tx.respond(200, 'OK', { toTag: newTag(), headers: this.contactHeaders(extension) });
      return;
    }
    if (requested < minExpiresS) {
      // §10.3 step 7 / §21.4.17: 423 with the shortest interval we accept.
      tx.respond(423, 'Interval Too Brief', { toTag: newTag(), headers: { 'min-expires': String(minExpiresS) } });
      return;
    }
    const expires = Math.min(requested, maxExpiresS);
    const reached = reachableContact(first.uri, req.source);
    if (!reached) {
      tx.respond(400, 'Bad Contact', { toTag: newTag() });
      return;
    }
    const binding: Binding = {
      extension,
      contact: reached.uri,
      registeredContact: first.uri,
      target: reached.target,
      expiresAt: clock.now() + expires * 1000,
      callId: req.callId,
      cseq: req.cseq.seq,
      source: req.source.address,
      webrtc: contactWantsWebRtc(first, req.source.transport),
    };
    const previous = this.bindings.get(extension);
    if (previous) {
      clock.clearTimeout(previous.timer);
      this.countSource(previous.binding.source, -1);
    }
    const replacedFlow = previous !== undefined && isFlowOnly(previous.binding.target.transport) && !sameFlow(previous.binding.target, binding.target) ? previous.binding.target : undefined;
    this.countSource(binding.source, 1);
    const timer = clock.setTimeout(() => {
      if (this.bindings.get(extension)?.binding === binding) this.remove(extension, 'expired');
    }, expires * 1000);
    this.bindings.set(extension, { binding, timer });
    logger.info(previous ? 'sip: registration refreshed' : 'sip: extension registered', {
      extension: maskPhone(extension), transport: binding.target.transport, expires, nat: reached.uri !== first.uri, webrtc: binding.webrtc,
    });
    tx.respond(200, 'OK', { toTag: newTag(), headers: { ...this.contactHeaders(extension), ...outboundHeaders(req, first) } });
    this.events.emit('registration', extension, true);
    if (replacedFlow !== undefined) this.options.onFlowReplaced?.(replacedFlow);
  }

  private countSource(address: string, delta: number): void {
    const count = (this.sources.get(address) ?? 0) + delta;
    if (count > 0) this.sources.set(address, count);
    else this.sources.delete(address);
  }

  private contactHeaders(extension: string): Record<string, string> {
    const binding = this.lookup(extension);
    if (!binding) return {};
    const left = Math.max(0, Math.round((binding.expiresAt - this.options.clock.now()) / 1000));
    return { contact: `<${binding.registeredContact}>;expires=${left}` };
  }

  private remove(extension: string, why: 'unregistered' | 'expired' | 'dropped' | 'disconnected'): void {
    const entry = this.bindings.get(extension);
    if (!entry) return;
    this.options.clock.clearTimeout(entry.timer);
    this.bindings.delete(extension);
    this.countSource(entry.binding.source, -1);
    this.options.logger.info(`sip: extension ${why}`, { extension: maskPhone(extension) });
    this.events.emit('registration', extension, false);
  }
}

/**
 * RFC 5626 §6: a REGISTER with `reg-id` and `+sip.instance` from a client that supports outbound gets
 * `Require: outbound` in the 200: the registrar uses the flow it arrived on (it always does here, see
 * reachableContact) and ends the binding when that flow fails (flowClosed).
 */
function outboundHeaders(req: SipRequest, contact: SipNameAddr): Record<string, string> {
  const supported = (headerString(req.message, 'supported') ?? '').toLowerCase().split(',').map((t) => t.trim());
  const params = contact.params;
  const wantsOutbound = supported.includes('outbound') && paramString(params, 'reg-id') !== undefined && paramString(params, '+sip.instance') !== undefined;
  return wantsOutbound ? { require: 'outbound', supported: 'outbound' } : {};
}

/** The same connection of the same transport (a WebSocket or TCP flow). */
function sameFlow(a: Endpoint, b: Endpoint): boolean {
  return a.transport === b.transport && a.connectionId !== undefined && a.connectionId === b.connectionId;
}

/**
 * RFC 3261 §19.1.4 for Contact URIs as phones send them: scheme, user and port exactly, host without
 * regard to case, and the transport parameter (absent = udp). Other parameters do not tell bindings apart here.
 */
export function sameContact(a: string, b: string): boolean {
  const x = parseUri(a);
  const y = parseUri(b);
  if (!x || !y) return a === b;
  const port = (p: number): number => (Number.isFinite(p) && p > 0 ? p : 0);
  const transport = (u: SipUri): string => (paramString(u.params, 'transport') ?? 'udp').toLowerCase();
  return (
    x.schema.toLowerCase() === y.schema.toLowerCase() &&
    (x.user ?? '') === (y.user ?? '') &&
    x.host.toLowerCase() === y.host.toLowerCase() &&
    port(x.port) === port(y.port) &&
    transport(x) === transport(y)
  );
}

/** RFC 1918 / RFC 4193 / loopback / link-local addresses, which mean nothing beyond a NAT. */
function isPrivate(address: string): boolean {
  return /^(10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.|127\.|169\.254\.)/.test(address) || /^(f[cd]|fe80:|::1$)/i.test(address);
}

/**
 * The URI and next hop to reach a contact. Behind NAT (host not an IP literal, or a private address
 * other than the packet's source) the packet source address:port replaces host:port (the RFC 5626
 * idea without its machinery); the transport is kept and, for a stream transport, the connection (the
 * flow). A WebSocket client is always reached over the connection it registered on: its Contact host
 * is usually a made-up `.invalid` name and it cannot be connected to (RFC 7118 §5).
 */
export function reachableContact(contactUri: string, source: Endpoint): { uri: string; target: Endpoint } | undefined {
  const uri = parseUri(contactUri);
  if (!uri || !/^sips?$/i.test(uri.schema)) return undefined;
  const host = uri.host.replace(/^\[|\]$/g, '');
  const flowOnly = isFlowOnly(source.transport);
  const behindNat = flowOnly || isIP(host) === 0 || (isPrivate(host) && host !== source.address);
  const param = transportParam(paramString(uri.params, 'transport'));
  const transport = flowOnly ? source.transport : param === 'tcp' || param === 'udp' ? param : source.transport;
  const flow = transport !== 'udp' && transport === source.transport && source.connectionId !== undefined ? { connectionId: source.connectionId } : {};
  if (behindNat) {
    const rewritten = stringifyUri({ ...uri, host: source.address.includes(':') ? `[${source.address}]` : source.address, port: source.port });
    return { uri: rewritten, target: { transport, address: source.address, port: source.port, ...flow } };
  }
  const port = Number.isFinite(uri.port) && uri.port > 0 ? uri.port : 5060;
  return { uri: contactUri, target: { transport, address: host, port, ...flow } };
}
