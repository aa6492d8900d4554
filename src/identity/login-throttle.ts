import { AuthThrottle, MemoryThrottleStore, type ThrottleRule, type ThrottleStore } from '../shared/auth-throttle.js';
import type { Clock } from '../shared/clock.js';

export type { ThrottleStore } from '../shared/auth-throttle.js';

const MINUTE = 60_000;

/**
 * Login limits (HTTP and SIP share the shape, not the counters):
 * - one account from one address: 5 free failures in 15 min, then 1 s, 2 s, 4 s … up to 15 min
 *   between attempts (a growing delay, never a lock of the name);
 * - one address over all accounts: 20 free, then the same growth (spraying many names);
 * - one account from all addresses: 10 free, then 1 s … 60 s between attempts, except from
 *   addresses the account logged in from in the last 30 days. About one guess a minute per account
 *   for a botnet, while the owner at their usual desk is not slowed.
 */
export const LOGIN_RULES: readonly ThrottleRule[] = [
  { scope: 'account-address', free: 5, windowMs: 15 * MINUTE, baseDelayMs: 1000, maxDelayMs: 15 * MINUTE },
  { scope: 'address', free: 20, windowMs: 15 * MINUTE, baseDelayMs: 1000, maxDelayMs: 15 * MINUTE },
  { scope: 'account', free: 10, windowMs: 15 * MINUTE, baseDelayMs: 1000, maxDelayMs: MINUTE },
];

export const LOGIN_TRUST_MS = 30 * 24 * 60 * MINUTE;

export interface LoginThrottleOptions {
  /** Where the counters live; default: this process's memory (tests, tools). */
  readonly store?: ThrottleStore;
  readonly rules?: readonly ThrottleRule[];
}

/** The HTTP login throttle: `AuthThrottle` with the rules above under the key prefix `http`. */
export class LoginThrottle extends AuthThrottle {
  constructor(clock: Clock, options: LoginThrottleOptions = {}) {
    super(options.store ?? new MemoryThrottleStore(), clock, { kind: 'http', rules: options.rules ?? LOGIN_RULES, trustMs: LOGIN_TRUST_MS });
  }
}
