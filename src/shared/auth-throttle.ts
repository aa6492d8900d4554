import type { Clock } from './clock.js';

/**
 * Password-guessing limits shared by HTTP login and SIP digest (REGISTER). Counters live in a
 * `ThrottleStore` (the database in production: `auth_throttles`), so several processes serving the
 * same users count together and a restart forgets nothing.
 *
 * Each rule counts attempts of one scope (account + address, address, account) in a sliding window,
 * before the password is checked, in one atomic step per counter (a success gives its attempt
 * back). The first `free` attempts go ahead; the one that reaches `free` blocks the scope for a
 * delay that doubles with every further attempt up to `maxDelayMs`, and a block always runs to its
 * end, window or not. Nothing is ever a hard
 * lock of a name: a slot always opens again. The account-wide rule skips addresses the account has
 * logged in from before (`trustMs`), so guessing from many addresses slows every stranger down but
 * never keeps the right user out of their own desk (OWASP "Blocking Brute Force Attacks").
 */
export interface ThrottleRecord {
  /** Attempts counted in the current window (a success gives its attempt back). */
  readonly failures: number;
  /** Start of the current counting window (ms). */
  readonly firstAt: number;
  /** No attempt of this scope before this time (ms). */
  readonly blockedUntil: number;
  readonly updatedAt: number;
}

/** What a store needs of a rule to count one attempt. */
export interface AttemptLimit {
  readonly free: number;
  readonly windowMs: number;
  /** delays[k]: the wait set when the count reaches free + k; the last entry stands for all beyond. */
  readonly delays: readonly number[];
}

/** Where counters live. Every method is atomic for one key (several processes may share it). */
export interface ThrottleStore {
  read(keys: readonly string[]): Promise<ReadonlyMap<string, ThrottleRecord>>;
  /**
   * Counts one attempt in one step, unless `blockedUntil` is after `now` (then nothing changes).
   * The count starts over when the window began before `now - windowMs` and no block is running;
   * reaching `free` or more sets `blockedUntil = now + delay`. Returns 0 when the attempt was
   * counted (go ahead), else the `blockedUntil` that refused it.
   */
  attempt(key: string, now: number, limit: AttemptLimit): Promise<number>;
  /** Gives one counted attempt back (it succeeded); lifts the block when the count drops below `free`. */
  credit(key: string, free: number): Promise<void>;
  /** Marks `key` as seen at `now` (a trusted address) without failures. */
  touch(key: string, now: number): Promise<void>;
  remove(keys: readonly string[]): Promise<void>;
  /**
   * Forgets records not blocked after `now`: keys starting with `trustPrefix` untouched since
   * `trustBefore`, all others untouched since `before`.
   */
  prune(now: number, before: number, trustPrefix: string, trustBefore: number): Promise<void>;
}

export type ThrottleScope = 'account-address' | 'address' | 'account';

export interface ThrottleRule {
  readonly scope: ThrottleScope;
  /** Password checks in the window that cost nothing. */
  readonly free: number;
  readonly windowMs: number;
  /** Delay after the last free attempt; doubles for each further one. */
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

/** One admitted (or refused) attempt: pass it back to `recordSuccess` / `recordFailure`. */
export interface Admission {
  /** Milliseconds until the next try may go ahead; 0: check the password now. */
  readonly waitMs: number;
  readonly account: string;
  readonly address: string;
  /** The counters this attempt was counted on, with their rule's `free`. */
  readonly counted: readonly { readonly key: string; readonly free: number }[];
}

const PRUNE_EVERY_MS = 10 * 60_000;
/** The address rule counts first: a throttled address creates no rows for the names it tries. */
const SCOPE_ORDER: readonly ThrottleScope[] = ['address', 'account-address', 'account'];

export class AuthThrottle {
  private lastPrune = 0;

  constructor(
    private readonly store: ThrottleStore,
    private readonly clock: Clock,
    private readonly options: AuthThrottleOptions,
  ) {}

  /**
   * Counts this attempt before its password is checked, so concurrent guesses cannot all slip
   * under `free` (issue 9, item 6): each counter is bumped in one atomic step and the attempt goes
   * ahead only if every counter took it. An empty `account` (a name that cannot exist) counts on
   * the address only. Refused attempts leave the account counters alone.
   */
  async admit(account: string, address: string): Promise<Admission> {
    const now = this.clock.now();
    const trustKey = this.key('trusted', account, address);
    const trust = account === '' ? undefined : (await this.store.read([trustKey])).get(trustKey);
    const trusted = trust !== undefined && now - trust.updatedAt < this.options.trustMs;
    const rules = [...this.options.rules]
      .filter((r) => (account === '' ? r.scope === 'address' : !(r.scope === 'account' && trusted)))
      .sort((a, b) => SCOPE_ORDER.indexOf(a.scope) - SCOPE_ORDER.indexOf(b.scope));
    const counted: { key: string; free: number }[] = [];
    for (const rule of rules) {
      const key = this.key(rule.scope, account, address);
      const blockedUntil = await this.store.attempt(key, now, { free: rule.free, windowMs: rule.windowMs, delays: delayLadder(rule) });
      if (blockedUntil > 0) return { waitMs: Math.max(1, blockedUntil - now), account, address, counted };
      counted.push({ key, free: rule.free });
    }
    return { waitMs: 0, account, address, counted };
  }

  /** The password was wrong: the attempt stays counted. */
  async recordFailure(_attempt: Admission): Promise<void> {
    await this.maybePrune(this.clock.now());
  }

  /** Gives the attempt back without trusting anyone (the request was refused for another reason). */
  async giveBack(attempt: Admission): Promise<void> {
    for (const { key, free } of attempt.counted) await this.store.credit(key, free);
  }

  /** Gives the attempt back, forgets this address's failures for the account and trusts the address for it. */
  async recordSuccess(attempt: Admission): Promise<void> {
    const now = this.clock.now();
    const pair = this.key('account-address', attempt.account, attempt.address);
    for (const { key, free } of attempt.counted) if (key !== pair) await this.store.credit(key, free);
    await this.store.remove([pair]);
    await this.store.touch(this.key('trusted', attempt.account, attempt.address), now);
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
    // Failure rows matter for one window plus the longest delay; trust rows for trustMs.
    const keep = Math.max(...this.options.rules.map((r) => r.windowMs + r.maxDelayMs));
    await this.store.prune(now, now - keep, `${this.options.kind}:t:`, now - this.options.trustMs);
  }
}

/** base × 2^k capped at max, for k = 0 … the first k reaching max: the k-th attempt beyond `free`'s wait. */
export function delayLadder(rule: ThrottleRule): number[] {
  const out: number[] = [];
  for (let k = 0; k <= 30; k++) {
    const d = Math.min(rule.maxDelayMs, rule.baseDelayMs * 2 ** k);
    out.push(d);
    if (d >= rule.maxDelayMs) break;
  }
  return out;
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

  attempt(key: string, now: number, limit: AttemptLimit): Promise<number> {
    const rec = this.records.get(key);
    if (rec !== undefined && rec.blockedUntil > now) return Promise.resolve(rec.blockedUntil);
    const fresh = rec === undefined || rec.firstAt < now - limit.windowMs;
    const failures = fresh ? 1 : rec.failures + 1;
    const over = failures - limit.free;
    const delay = over < 0 ? 0 : (limit.delays[Math.min(over, limit.delays.length - 1)] ?? 0);
    this.set(key, { failures, firstAt: fresh ? now : rec.firstAt, blockedUntil: over < 0 ? (rec?.blockedUntil ?? 0) : now + delay, updatedAt: now });
    return Promise.resolve(0);
  }

  credit(key: string, free: number): Promise<void> {
    const rec = this.records.get(key);
    if (rec === undefined) return Promise.resolve();
    const failures = Math.max(0, rec.failures - 1);
    this.records.set(key, { ...rec, failures, blockedUntil: failures < free ? 0 : rec.blockedUntil });
    return Promise.resolve();
  }

  touch(key: string, now: number): Promise<void> {
    this.set(key, { failures: 0, firstAt: now, blockedUntil: 0, updatedAt: now });
    return Promise.resolve();
  }

  remove(keys: readonly string[]): Promise<void> {
    for (const key of keys) this.records.delete(key);
    return Promise.resolve();
  }

  prune(now: number, before: number, trustPrefix: string, trustBefore: number): Promise<void> {
    for (const [key, rec] of this.records) {
      const cut = key.startsWith(trustPrefix) ? trustBefore : before;
      if (rec.updatedAt < cut && rec.blockedUntil <= now) this.records.delete(key);
    }
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
