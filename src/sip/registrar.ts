import { isIP } from 'node:net';
import { parseUri, stringifyUri, type SipNameAddr } from 'sip';
import type { Logger } from '../logging/logger.js';
import type { Clock, Timer } from '../shared/clock.js';
import { maskPhone } from '../shared/mask.js';
import { TypedEmitter } from '../shared/typed-emitter.js';
import type { RegistrationEvents, SipCredentialStore } from '../telephony/call-leg.js';
import { NonceSigner, digestParams, digestResponse, type DigestParams } from './digest-auth.js';
import type { ServerTransaction } from './server-transaction.js';
import { headerString, newTag, paramString, userOf, type SipRequest } from './sip-message.js';
import type { Endpoint } from './sip-types.js';

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
}

export interface RegistrarOptions {
  readonly credentials: SipCredentialStore;
  readonly realm: string;
  readonly maxExpiresS: number;
  readonly minExpiresS: number;
  readonly clock: Clock;
  readonly logger: Logger;
}

const NONCE_LIFETIME_MS = 5 * 60_000;
const DEFAULT_EXPIRES_S = 3600;
/** Failed attempts per source IP + username before it is refused without checking (brute force guard). */
const MAX_FAILURES = 5;
const FAILURE_WINDOW_MS = 60_000;
const BLOCK_MS = 60_000;
const MAX_TRACKED_SOURCES = 10_000;

interface Failures {
  count: number;
  windowStart: number;
  blockedUntil: number;
}

/**
 * The registrar (RFC 3261 §10.3) with digest authentication (§22): one binding per extension, kept
 * in memory, expired on the injected clock. Emits `registration` on `events`.
 */
export class Registrar {
  readonly events = new TypedEmitter<RegistrationEvents>();
  private readonly bindings = new Map<string, { binding: Binding; timer: Timer }>();
  private readonly failures = new Map<string, Failures>();
  private readonly nonces: NonceSigner;

  constructor(private readonly options: RegistrarOptions) {
    this.nonces = new NonceSigner(options.realm, NONCE_LIFETIME_MS);
  }

  isRegistered(extension: string): boolean {
    return this.lookup(extension) !== undefined;
  }

  lookup(extension: string): Binding | undefined {
    const entry = this.bindings.get(extension);
    return entry && entry.binding.expiresAt > this.options.clock.now() ? entry.binding : undefined;
  }

  close(): void {
    for (const { timer } of this.bindings.values()) this.options.clock.clearTimeout(timer);
    this.bindings.clear();
    this.failures.clear();
    this.events.removeAllListeners();
  }

  handle(req: SipRequest, tx: ServerTransaction): void {
    this.authenticate(req, tx).then(
      (user) => {
        if (user !== null && !tx.finalSent) this.register(req, tx, user);
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
    const challenge = (stale: boolean): null => {
      tx.respond(401, 'Unauthorized', { toTag: newTag(), headers: { 'www-authenticate': this.nonces.challenge(now, stale) } });
      return null;
    };
    const headers = req.message.headers.authorization ?? [];
    const auth = headers.map(digestParams).find((p): p is DigestParams => p !== undefined && p.realm === realm);
    if (!auth) return challenge(false);
    const user = auth.username ?? '';
    const key = `${req.source.address}|${user}`;
    if (this.blocked(key, now)) {
      logger.warn('sip: REGISTER refused, too many failures', { user: maskPhone(user), source: req.source.address });
      return this.forbid(tx);
    }
    const nonce = auth.nonce ?? '';
    const check = this.nonces.check(nonce, now);
    if (check === 'stale') return challenge(true);
    if (check === 'invalid') {
      this.fail(key, now, user, req, 'bad nonce');
      return challenge(false);
    }
    const qop = auth.qop;
    if ((qop !== undefined && qop !== 'auth') || (qop === 'auth' && (auth.nc === undefined || auth.cnonce === undefined)) || auth.uri === undefined) {
      this.fail(key, now, user, req, 'malformed credentials');
      return this.forbid(tx);
    }
    const ha1 = user === '' ? undefined : await this.options.credentials.findHa1(user, realm);
    const expected = ha1 === undefined ? undefined : digestResponse({ ha1, method: 'REGISTER', uri: auth.uri, nonce, qop, nc: auth.nc, cnonce: auth.cnonce });
    // §10.3 step 3+6: the credentials must be right and their user must own the AOR (the To user).
    if (expected === undefined || expected !== auth.response?.toLowerCase() || user !== userOf(req.to.uri)) {
      this.fail(key, clock.now(), user, req, ha1 === undefined ? 'unknown user' : 'wrong credentials');
      return this.forbid(tx);
    }
    this.failures.delete(key);
    return user;
  }

  private forbid(tx: ServerTransaction): null {
    tx.respond(403, 'Forbidden', { toTag: newTag() });
    return null;
  }

  private blocked(key: string, now: number): boolean {
    const entry = this.failures.get(key);
    return entry !== undefined && entry.blockedUntil > now;
  }

  private fail(key: string, now: number, user: string, req: SipRequest, why: string): void {
    let entry = this.failures.get(key);
    if (!entry || now - entry.windowStart > FAILURE_WINDOW_MS) {
      if (this.failures.size >= MAX_TRACKED_SOURCES) this.pruneFailures(now);
      entry = { count: 0, windowStart: now, blockedUntil: 0 };
      this.failures.set(key, entry);
    }
    entry.count += 1;
    this.options.logger.info('sip: REGISTER authentication failed', { user: maskPhone(user), source: req.source.address, why });
    if (entry.count >= MAX_FAILURES) {
      entry.blockedUntil = now + BLOCK_MS;
      this.options.logger.warn('sip: REGISTER rate-limited', { user: maskPhone(user), source: req.source.address, forS: BLOCK_MS / 1000 });
    }
  }

  private pruneFailures(now: number): void {
    for (const [key, entry] of this.failures) {
      if (entry.blockedUntil <= now && now - entry.windowStart > FAILURE_WINDOW_MS) this.failures.delete(key);
    }
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
      this.remove(extension, 'unregistered');
      tx.respond(200, 'OK', { toTag: newTag() });
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
    };
    const previous = this.bindings.get(extension);
    if (previous) clock.clearTimeout(previous.timer);
    const timer = clock.setTimeout(() => {
      if (this.bindings.get(extension)?.binding === binding) this.remove(extension, 'expired');
    }, expires * 1000);
    this.bindings.set(extension, { binding, timer });
    logger.info(previous ? 'sip: registration refreshed' : 'sip: extension registered', {
      extension: maskPhone(extension), transport: binding.target.transport, expires, nat: reached.uri !== first.uri,
    });
    tx.respond(200, 'OK', { toTag: newTag(), headers: this.contactHeaders(extension) });
    this.events.emit('registration', extension, true);
  }

  private contactHeaders(extension: string): Record<string, string> {
    const binding = this.lookup(extension);
    if (!binding) return {};
    const left = Math.max(0, Math.round((binding.expiresAt - this.options.clock.now()) / 1000));
    return { contact: `<${binding.registeredContact}>;expires=${left}` };
  }

  private remove(extension: string, why: 'unregistered' | 'expired'): void {
    const entry = this.bindings.get(extension);
    if (!entry) return;
    this.options.clock.clearTimeout(entry.timer);
    this.bindings.delete(extension);
    this.options.logger.info(`sip: extension ${why}`, { extension: maskPhone(extension) });
    this.events.emit('registration', extension, false);
  }
}

/** RFC 1918 / RFC 4193 / loopback / link-local addresses, which mean nothing beyond a NAT. */
function isPrivate(address: string): boolean {
  return /^(10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.|127\.|169\.254\.)/.test(address) || /^(f[cd]|fe80:|::1$)/i.test(address);
}

/**
 * The URI and next hop to reach a contact. Behind NAT (host not an IP literal, or a private address
 * other than the packet's source) the packet source address:port replaces host:port (the RFC 5626
 * idea without its machinery); the transport is kept and, for TCP, the connection (the flow).
 */
function reachableContact(contactUri: string, source: Endpoint): { uri: string; target: Endpoint } | undefined {
  const uri = parseUri(contactUri);
  if (!uri || !/^sips?$/i.test(uri.schema)) return undefined;
  const host = uri.host.replace(/^\[|\]$/g, '');
  const behindNat = isIP(host) === 0 || (isPrivate(host) && host !== source.address);
  const param = paramString(uri.params, 'transport')?.toLowerCase();
  const transport = param === 'tcp' || param === 'udp' ? param : source.transport;
  const flow = transport === 'tcp' && source.transport === 'tcp' && source.connectionId !== undefined ? { connectionId: source.connectionId } : {};
  if (behindNat) {
    const rewritten = stringifyUri({ ...uri, host: source.address.includes(':') ? `[${source.address}]` : source.address, port: source.port });
    return { uri: rewritten, target: { transport, address: source.address, port: source.port, ...flow } };
  }
  const port = Number.isFinite(uri.port) && uri.port > 0 ? uri.port : 5060;
  return { uri: contactUri, target: { transport, address: host, port, ...flow } };
}
