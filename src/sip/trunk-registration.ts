import type { SipOutgoingMessage } from 'sip';
import type { Logger } from '../logging/logger.js';
import type { Clock, Timer } from '../shared/clock.js';
import { authorizationFor, digestParams } from './digest-auth.js';
import { parseProxy } from './outbound-dialer.js';
import type { DialogRequest } from './sip-dialog.js';
import { headerString, newBranch, newTag, paramString, type SipResponse } from './sip-message.js';
import { randomHex } from './random-hex.js';

/** A registration to a carrier (RFC 3261 §10.2), as the trunks file gives it. */
export interface TrunkRegistrationSpec {
  readonly trunk: string;
  /** SIP URI with an IP literal host, e.g. `sip:203.0.113.5:5060`. */
  readonly registrar: string;
  readonly username: string;
  readonly password: string;
  readonly aorUser: string;
  readonly expiresS: number;
}

export interface TrunkRegistrationHost {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly publicAddress: string;
  readonly port: number;
  sendRequest(request: DialogRequest): Promise<SipResponse>;
}

/** Retries after a failure: 5 s, doubling, at most 5 minutes (plus up to 10 % jitter so trunks do not pulse together). */
export const RETRY_FIRST_MS = 5_000;
export const RETRY_MAX_MS = 300_000;

export type TrunkRegistrationState = 'registering' | 'registered' | 'failed' | 'closed';

/**
 * Keeps one registration to a carrier up (RFC 3261 §10.2): REGISTER with our Contact, a 401/407
 * answered once per attempt with digest credentials (§22.2), refreshed when half of what the carrier
 * granted has passed (§10.2.1: the registrar may shorten Expires; the 200's Contact expires param, else
 * its Expires header, is what counts), and retried with a growing back-off when it fails (timeout,
 * 403, 5xx…). Call-ID stays and CSeq grows across refreshes (§10.2.4). close() unregisters (Expires: 0),
 * best effort.
 */
export class TrunkRegistration {
  private current: TrunkRegistrationState = 'registering';
  private readonly callId = `${randomHex(10)}@trunk`;
  private readonly fromTag = newTag();
  private cseq = 0;
  private timer: Timer | undefined;
  private failures = 0;
  private readonly target: ReturnType<typeof parseProxy>;

  constructor(
    readonly spec: TrunkRegistrationSpec,
    private readonly host: TrunkRegistrationHost,
  ) {
    this.target = parseProxy(spec.registrar);
  }

  get state(): TrunkRegistrationState {
    return this.current;
  }

  /** A method, not a getter: the state may change across an await, which narrowing would not see. */
  private isClosed(): boolean {
    return this.current === 'closed';
  }

  get registered(): boolean {
    return this.current === 'registered';
  }

  start(): void {
    void this.attempt(this.spec.expiresS);
  }

  close(): void {
    if (this.current === 'closed') return;
    const wasRegistered = this.current === 'registered';
    this.current = 'closed';
    if (this.timer) this.host.clock.clearTimeout(this.timer);
    this.timer = undefined;
    if (wasRegistered) void this.send(0, undefined).catch(() => undefined);
  }

  private async attempt(expiresS: number): Promise<void> {
    if (this.isClosed()) return;
    const log = this.host.logger;
    try {
      let res = await this.send(expiresS, undefined);
      if ((res.status === 401 || res.status === 407) && !this.isClosed()) {
        const authorization = this.answer(res);
        if (authorization === undefined) throw new Error(`${res.status} without a usable digest challenge`);
        res = await this.send(expiresS, authorization);
      }
      if (this.isClosed()) return;
      if (res.status < 200 || res.status >= 300) throw new Error(`${res.status} ${res.reason}`);
      const granted = this.grantedS(res) ?? expiresS;
      if (this.current !== 'registered') log.info('trunk registered', { trunk: this.spec.trunk, expiresS: granted });
      this.current = 'registered';
      this.failures = 0;
      // At least 15 s apart: a carrier granting 0-2 s would otherwise have us REGISTER every second.
      this.schedule(Math.max(15, granted / 2) * 1000);
    } catch (err) {
      if (this.isClosed()) return;
      this.failures++;
      const waitMs = Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * 2 ** (this.failures - 1)) * (1 + Math.random() * 0.1);
      log.warn('trunk registration failed; retrying', { trunk: this.spec.trunk, error: err instanceof Error ? err.message : String(err), retryInS: Math.round(waitMs / 1000), failures: this.failures });
      this.current = 'failed';
      this.schedule(waitMs);
    }
  }

  private schedule(ms: number): void {
    if (this.timer) this.host.clock.clearTimeout(this.timer);
    this.timer = this.host.clock.setTimeout(() => {
      this.timer = undefined;
      void this.attempt(this.spec.expiresS);
    }, ms);
  }

  /** The Authorization / Proxy-Authorization answering a challenge, or undefined. */
  private answer(res: SipResponse): { header: string; value: string } | undefined {
    const proxy = res.status === 407;
    const challenges = res.message.headers[proxy ? 'proxy-authenticate' : 'www-authenticate'] ?? [];
    for (const raw of challenges) {
      const challenge = digestParams(raw);
      const value = challenge && authorizationFor(challenge, { user: this.spec.username, password: this.spec.password }, 'REGISTER', this.requestUri);
      if (value !== undefined) return { header: proxy ? 'proxy-authorization' : 'authorization', value };
    }
    return undefined;
  }

  private get requestUri(): string {
    const uri = this.target?.uri;
    if (!uri) return this.spec.registrar;
    return `sip:${uri.host}${uri.port > 0 ? `:${uri.port}` : ''}`;
  }

  /** §10.2.4: the expiry the registrar granted our contact (its Contact's expires, else Expires). */
  private grantedS(res: SipResponse): number | undefined {
    const ours = `@${this.contactHost}:${this.host.port}`;
    const contacts = res.message.headers.contact;
    if (Array.isArray(contacts)) {
      for (const c of contacts) {
        if (!c.uri.includes(ours)) continue;
        const e = Number.parseInt(paramString(c.params, 'expires') ?? '', 10);
        if (Number.isFinite(e) && e > 0) return e;
      }
    }
    const header = Number.parseInt(headerString(res.message, 'expires') ?? '', 10);
    return Number.isFinite(header) && header > 0 ? header : undefined;
  }

  private get contactHost(): string {
    return this.host.publicAddress.includes(':') ? `[${this.host.publicAddress}]` : this.host.publicAddress;
  }

  private send(expiresS: number, authorization: { header: string; value: string } | undefined): Promise<SipResponse> {
    const target = this.target;
    if (!target) return Promise.reject(new Error('registrar is not a SIP URI with an IP literal host'));
    this.cseq += 1;
    const branch = newBranch();
    const aor = `sip:${this.spec.aorUser}@${target.uri.host}`;
    const transport = target.next.transport === 'tcp' ? ';transport=tcp' : '';
    const headers: Record<string, unknown> = {
      via: [{ version: '2.0', protocol: target.next.transport.toUpperCase(), host: this.host.publicAddress, port: this.host.port, params: { branch, rport: null } }],
      'max-forwards': '70',
      to: { uri: aor, params: {} },
      from: { uri: aor, params: { tag: this.fromTag } },
      'call-id': this.callId,
      cseq: { seq: this.cseq, method: 'REGISTER' },
      contact: [{ uri: `sip:${this.spec.aorUser}@${this.contactHost}:${this.host.port}${transport}`, params: {} }],
      expires: String(expiresS),
      'user-agent': 'hotline12345',
    };
    if (authorization) headers[authorization.header] = authorization.value;
    const message: SipOutgoingMessage = { method: 'REGISTER', uri: this.requestUri, version: '2.0', headers };
    return this.host.sendRequest({ message, target: target.next, branch });
  }
}
