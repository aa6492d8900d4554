import type { Clock } from '../shared/clock.js';

export interface LoginThrottleOptions {
  /** Failures within `windowMs` that lock the username. Default 5. */
  readonly maxFailures?: number;
  /** Default 5 minutes. */
  readonly windowMs?: number;
  /** How long a lock lasts. Default 5 minutes. */
  readonly lockMs?: number;
  /** Usernames tracked at most; beyond it, the oldest entries go (a flood of made-up names must not grow memory). */
  readonly maxTracked?: number;
}

interface Entry {
  failures: number[];
  lockedUntil: number;
}

/**
 * Counts failed logins per username, in memory (one process serves a district; a restart forgets).
 * Unknown usernames are counted too, so a lock says nothing about whether the user exists.
 */
export class LoginThrottle {
  private readonly entries = new Map<string, Entry>();
  private readonly maxFailures: number;
  private readonly windowMs: number;
  private readonly lockMs: number;
  private readonly maxTracked: number;

  constructor(
    private readonly clock: Clock,
    options: LoginThrottleOptions = {},
  ) {
    this.maxFailures = options.maxFailures ?? 5;
    this.windowMs = options.windowMs ?? 5 * 60_000;
    this.lockMs = options.lockMs ?? 5 * 60_000;
    this.maxTracked = options.maxTracked ?? 10_000;
  }

  /** Milliseconds until `username` may try again, or 0 when it is not locked. */
  lockedFor(username: string): number {
    const entry = this.entries.get(username);
    if (!entry) return 0;
    return Math.max(0, entry.lockedUntil - this.clock.now());
  }

  recordFailure(username: string): void {
    const now = this.clock.now();
    const entry = this.entries.get(username) ?? { failures: [], lockedUntil: 0 };
    entry.failures = entry.failures.filter((t) => now - t < this.windowMs);
    entry.failures.push(now);
    if (entry.failures.length >= this.maxFailures) {
      entry.lockedUntil = now + this.lockMs;
      entry.failures = [];
    }
    // Re-inserting keeps the Map in least-recently-failed order for the eviction below.
    this.entries.delete(username);
    this.entries.set(username, entry);
    this.evict();
  }

  recordSuccess(username: string): void {
    this.entries.delete(username);
  }

  /** Drops the least recently failed usernames beyond `maxTracked`. */
  private evict(): void {
    for (const name of this.entries.keys()) {
      if (this.entries.size <= this.maxTracked) return;
      this.entries.delete(name);
    }
  }
}
