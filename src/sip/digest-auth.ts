import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { SipAuthHeader } from 'sip';

/**
 * HTTP Digest for SIP (RFC 3261 §22.4, RFC 2617 §3.2): MD5, with `qop=auth` or without qop.
 * The server side signs its nonces (HMAC with a per-process secret, the issue time and the client's
 * address), so a stale one is told apart from a forged one (`stale=true`, RFC 2617 §3.2.1); the nonce
 * count per nonce is tracked to refuse replays.
 */
export const md5 = (s: string): string => createHash('md5').update(s, 'latin1').digest('hex');

/** Digest parameters of one Authorization / challenge header, unquoted. */
export type DigestParams = Readonly<Record<string, string>>;

/** Reads a parsed auth header into plain parameters (quotes removed); undefined unless it is Digest. */
export function digestParams(header: SipAuthHeader | undefined): DigestParams | undefined {
  if (header?.scheme.toLowerCase() !== 'digest') return undefined;
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(header)) {
    if (name === 'scheme' || value === undefined) continue;
    out[name.toLowerCase()] = value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1).replace(/\\(.)/g, '$1') : value;
  }
  return out;
}

/** RFC 2617 §3.2.2.1 request-digest from HA1 (MD5 of user:realm:password). */
export function digestResponse(p: {
  ha1: string;
  method: string;
  uri: string;
  nonce: string;
  qop?: string | undefined;
  nc?: string | undefined;
  cnonce?: string | undefined;
}): string {
  const ha2 = md5(`${p.method}:${p.uri}`);
  return p.qop === 'auth' ? md5(`${p.ha1}:${p.nonce}:${p.nc ?? ''}:${p.cnonce ?? ''}:auth:${ha2}`) : md5(`${p.ha1}:${p.nonce}:${ha2}`);
}

const quote = (s: string): string => `"${s.replace(/["\\]/g, '\\$&')}"`;

export type NonceCheck = 'valid' | 'stale' | 'invalid';

/**
 * Issues and checks signed nonces: `<issued ms, hex>.<salt>.<HMAC-SHA256(secret, issued:salt:realm:address)>`.
 * The random salt makes every nonce unique: two challenges in the same millisecond to one address (two
 * phones behind one NAT, a phone re-registering at once) would otherwise share a nonce, and the second
 * one's nc=1 would look like a replay of the first.
 * The HMAC binds the nonce to the source address it was sent to, so credentials captured from one
 * address and replayed from another fail the check and get a fresh challenge (RFC 7616 §5.5 suggests
 * the client's IP address in the nonce for this). The secret is per process: a nonce is only ever
 * valid at the process that issued it, which is why its use count can live in that process's memory
 * (`NonceCounter`) and still be exact when several processes serve one registrar.
 */
export class NonceSigner {
  private readonly secret = randomBytes(32);

  constructor(
    private readonly realm: string,
    private readonly lifetimeMs: number,
  ) {}

  issue(now: number, address: string): string {
    const issued = now.toString(16);
    const salt = randomBytes(6).toString('hex');
    return `${issued}.${salt}.${this.sign(`${issued}:${salt}`, address)}`;
  }

  check(nonce: string, now: number, address: string): NonceCheck {
    const [issued, salt, mac, extra] = nonce.split('.');
    if (issued === undefined || salt === undefined || mac === undefined || extra !== undefined) return 'invalid';
    if (!/^[0-9a-f]{1,13}$/.test(issued) || !/^[0-9a-f]{12}$/.test(salt) || !/^[0-9a-f]{64}$/.test(mac)) return 'invalid';
    const expected = Buffer.from(this.sign(`${issued}:${salt}`, address), 'hex');
    const given = Buffer.from(mac, 'hex');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'invalid';
    const age = now - Number.parseInt(issued, 16);
    return age >= 0 && age <= this.lifetimeMs ? 'valid' : 'stale';
  }

  /** WWW-Authenticate value of a 401 (§22.4, §20.44) for a request from `address`. */
  challenge(now: number, address: string, stale: boolean): string {
    return `Digest realm=${quote(this.realm)}, nonce=${quote(this.issue(now, address))}, algorithm=MD5, qop="auth"${stale ? ', stale=true' : ''}`;
  }

  private sign(issued: string, address: string): string {
    return createHmac('sha256', this.secret).update(`${issued}:${this.realm}:${address}`).digest('hex');
  }
}

/** Issue time (ms) written in a nonce from NonceSigner; NaN for anything else. */
export const nonceIssuedAt = (nonce: string): number => Number.parseInt(nonce.split('.')[0] ?? '', 16);

/**
 * The highest `nc` accepted per nonce (RFC 7616 §3.4.5 / RFC 2617 §3.2.2: the server tracks the
 * nonce count to detect replays). A request must bring a higher nc than any before it on the same
 * nonce; a nonce without qop (RFC 2069 form) has no nc and is good for one request. Entries go when
 * their nonce expires; beyond `maxNonces` the oldest are dropped and every nonce issued up to the
 * newest dropped one is refused, so forgetting never reopens a replay.
 */
export class NonceCounter {
  private readonly highest = new Map<string, { nc: number; issuedAt: number }>();
  private floor = -Infinity;

  constructor(
    private readonly lifetimeMs: number,
    private readonly maxNonces = 100_000,
  ) {}

  /** True (and remembered) when `nc` is above every nc seen on this nonce. */
  advance(nonce: string, nc: number, now: number): boolean {
    const issuedAt = nonceIssuedAt(nonce);
    if (!Number.isFinite(nc) || nc < 1 || !Number.isFinite(issuedAt) || issuedAt <= this.floor) return false;
    const seen = this.highest.get(nonce);
    if (seen !== undefined && nc <= seen.nc) return false;
    this.highest.set(nonce, { nc, issuedAt });
    if (seen === undefined) this.prune(now);
    return true;
  }

  private prune(now: number): void {
    // Map order is insertion order: oldest nonces first.
    for (const [nonce, entry] of this.highest) {
      const expired = now - entry.issuedAt > this.lifetimeMs;
      if (!expired && this.highest.size <= this.maxNonces) return;
      this.highest.delete(nonce);
      if (!expired) this.floor = Math.max(this.floor, entry.issuedAt);
    }
  }
}

/**
 * The Authorization / Proxy-Authorization value answering a challenge (RFC 2617 §3.2.2) as a UAC,
 * with `qop=auth` when offered, else the RFC 2069 form. Undefined when the challenge is not MD5 digest.
 */
export function authorizationFor(
  challenge: DigestParams,
  credentials: { readonly user: string; readonly password: string },
  method: string,
  uri: string,
): string | undefined {
  const realm = challenge.realm ?? '';
  const nonce = challenge.nonce;
  const algorithm = challenge.algorithm ?? 'MD5';
  if (nonce === undefined || algorithm.toUpperCase() !== 'MD5') return undefined;
  const qops = (challenge.qop ?? '').split(',').map((q) => q.trim());
  const qop = qops.includes('auth') ? 'auth' : undefined;
  const cnonce = randomBytes(8).toString('hex');
  const nc = '00000001';
  const ha1 = md5(`${credentials.user}:${realm}:${credentials.password}`);
  const response = digestResponse({ ha1, method, uri, nonce, qop, nc, cnonce });
  const parts = [
    `Digest username=${quote(credentials.user)}`, `realm=${quote(realm)}`, `nonce=${quote(nonce)}`, `uri=${quote(uri)}`,
    `response=${quote(response)}`, 'algorithm=MD5',
  ];
  if (challenge.opaque !== undefined) parts.push(`opaque=${quote(challenge.opaque)}`);
  if (qop) parts.push(`qop=auth`, `nc=${nc}`, `cnonce=${quote(cnonce)}`);
  return parts.join(', ');
}
