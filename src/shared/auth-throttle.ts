import type { Clock } from './clock.js';

/**
 * Password-guessing limits shared by HTTP login and SIP digest (REGISTER). Counters live in a
 * `ThrottleStore` (the database in production: `auth_throttles`), so several processes serving the
 * same users count together and a restart forgets nothing.
 *
 * Each rule counts failures of one scope (account + address, address, account) in a sliding window.
 * The first `free` failures cost nothing; beyond them every attempt must claim a slot, and each
 * claim pushes the next one out by a delay that doubles up to `maxDelayMs`. Nothing is ever a hard
 * lock of a name: a slot always opens again. The account-wide rule skips addresses the account has
 * logged in from before (`trustMs`), so guessing from many addresses slows every stranger down but
 * never keeps the right user out of their own desk (OWASP "Blocking Brute Force Attacks").
 */
export interface ThrottleRecord {
  readonly failures: number;
  /** Start of the current counting window (ms). */
  readonly firstAt: number;
  /** No attempt of this scope before this time (ms). */
  readonly blockedUntil: number;
  readonly updatedAt: number;
}

/** Where counters live. Every method is atomic for one key (several processes may share it). */
export interface ThrottleStore {
  read(keys: readonly string[]): Promise<ReadonlyMap<string, ThrottleRecord>>;
  /** One more failure; starts over when the window began before `now - windowMs`. Returns the count. */
  addFailure(key: string, now: number, windowMs: number): Promise<number>;
  /** Sets blockedUntil to `until` only when it is not after `now` (compare-and-set); true when this call took the slot. */
  claim(key: string, now: number, until: number): Promise<boolean>;
  /** Marks `key` as seen at `now` (a trusted address) without failures. */
  touch(key: string, now: number): Promise<void>;
  remove(keys: readonly string[]): Promise<void>;
  /** Forgets records untouched since `before` and not blocked after `now`. */
  prune(before: number, now: number): Promise<void>;
}

export type ThrottleScope = 'account-address' | 'address' | 'account';

export interface ThrottleRule {
  readonly scope: ThrottleScope;
  /** Failures in the window that cost nothing. */
  readonly free: number;
  readonly windowMs: number;
  /** Delay after the first attempt beyond `free`; doubles for each further one. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export interface AuthThrottleOptions {
  /** Key prefix: `http` or `sip`, so the two counters never mix. */
  readonly kind: string;
  readonly rules: readonly ThrottleRule[];
  /** How long a successful login makes its address trusted for the account-wide rule. */
  readonly trustMs: number;
}

const PRUNE_EVERY_MS = 10 * 60_000;

export class AuthThrottle {
  private lastPrune = 0;

  constructor(
    private readonly store: ThrottleStore,
    private readonly clock: Clock,
    private readonly options: AuthThrottleOptions,
  ) {}

  /**
   * Milliseconds until `account` may try again from `address` (0: go ahead). A 0 answer beyond
   * the free failures has claimed the slot, so concurrent guesses get one try per delay, not one each.
   */
  async admit(account: string, address: string): Promise<number> {
    const now = this.clock.now();
    const { rules } = this.options;
    const trustKey = this.key('trusted', account, address);
    const keys = rules.map((r) => this.ruleKey(r, account, address));
    const records = await this.store.read([...keys, trustKey]);
    const trust = records.get(trustKey);
    const trusted = trust !== undefined && now - trust.updatedAt < this.options.trustMs;
    let wait = 0;
    const toClaim: { key: string; until: number }[] = [];
    rules.forEach((rule, i) => {
      const key = keys[i] ?? '';
      const rec = records.get(key);
      if (rule.scope === 'account' && trusted) return;
      if (rec === undefined || now - rec.firstAt > rule.windowMs || rec.failures < rule.free) return;
      if (rec.blockedUntil > now) wait = Math.max(wait, rec.blockedUntil - now);
      else toClaim.push({ key, until: now + delayFor(rule, rec.failures) });
    });
    if (wait > 0) return wait;
    for (const { key, until } of toClaim) {
      // Lost the race to a concurrent attempt: wait for the delay it set.
      if (!(await this.store.claim(key, now, until))) return Math.max(1, until - now);
    }
    return 0;
  }

  async recordFailure(account: string, address: string): Promise<void> {
    const now = this.clock.now();
    for (const rule of this.options.rules) await this.store.addFailure(this.ruleKey(rule, account, address), now, rule.windowMs);
    await this.maybePrune(now);
  }

  /** Forgets this address's failures for the account and trusts the address for it. */
  async recordSuccess(account: string, address: string): Promise<void> {
    const now = this.clock.now();
    await this.store.remove([this.key('account-address', account, address)]);
    await this.store.touch(this.key('trusted', account, address), now);
  }

  private ruleKey(rule: ThrottleRule, account: string, address: string): string {
    return this.key(rule.scope, account, address);
  }

  private key(scope: ThrottleScope | 'trusted', account: string, address: string): string {
    const k = this.options.kind;
    // Keys are bounded (VARCHAR 191): usernames are ≤ 64 and addresses ≤ 45 characters.
    if (scope === 'address') return `${k}:a:${address}`.slice(0, 191);
    if (scope === 'account') return `${k}:u:${account}`.slice(0, 191);
    return `${k}:${scope === 'trusted' ? 't' : 'ua'}:${account}|${address}`.slice(0, 191);
  }

  private async maybePrune(now: number): Promise<void> {
    if (now - this.lastPrune < PRUNE_EVERY_MS) return;
    this.lastPrune = now;
    const longest = Math.max(this.options.trustMs, ...this.options.rules.map((r) => r.windowMs));
    await this.store.prune(now - longest, now);
  }
}

/** base × 2^(n−free), capped: the n-th failure's delay before the next attempt. */
function delayFor(rule: ThrottleRule, failures: number): number {
  const steps = Math.min(30, Math.max(0, failures - rule.free));
  return Math.min(rule.maxDelayMs, rule.baseDelayMs * 2 ** steps);
}

/** A store in this process's memory: for tests and single-process tools; bounded by `maxKeys`. */
export class MemoryThrottleStore implements ThrottleStore {
  private readonly records = new Map<string, ThrottleRecord>();

  constructor(private readonly maxKeys = 100_000) {}

  read(keys: readonly string[]): Promise<ReadonlyMap<string, ThrottleRecord>> {
    const out = new Map<string, ThrottleRecord>();
    for (const key of keys) {
      const rec = this.records.get(key);
      if (rec) out.set(key, rec);
    }
    return Promise.resolve(out);
  }

  addFailure(key: string, now: number, windowMs: number): Promise<number> {
    const rec = this.records.get(key);
    const fresh = rec === undefined || rec.firstAt < now - windowMs;
    const next: ThrottleRecord = {
      failures: fresh ? 1 : rec.failures + 1,
      firstAt: fresh ? now : rec.firstAt,
      blockedUntil: rec?.blockedUntil ?? 0,
      updatedAt: now,
    };
    this.set(key, next);
    return Promise.resolve(next.failures);
  }

  claim(key: string, now: number, until: number): Promise<boolean> {
    const rec = this.records.get(key);
    if (rec === undefined) return Promise.resolve(true);
    if (rec.blockedUntil > now) return Promise.resolve(false);
    this.records.set(key, { ...rec, blockedUntil: until });
    return Promise.resolve(true);
  }

  touch(key: string, now: number): Promise<void> {
    this.set(key, { failures: 0, firstAt: now, blockedUntil: 0, updatedAt: now });
    return Promise.resolve();
  }

  remove(keys: readonly string[]): Promise<void> {
    for (const key of keys) this.records.delete(key);
    return Promise.resolve();
  }

  prune(before: number, now: number): Promise<void> {
    for (const [key, rec] of this.records) if (rec.updatedAt < before && rec.blockedUntil <= now) this.records.delete(key);
    return Promise.resolve();
  }

  private set(key: string, rec: ThrottleRecord): void {
    // Re-inserting keeps least-recently-touched first, for the eviction below.
    this.records.delete(key);
    this.records.set(key, rec);
    for (const old of this.records.keys()) {
      if (this.records.size <= this.maxKeys) break;
      this.records.delete(old);
    }
  }
}
