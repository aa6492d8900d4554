/**
 * The INVITEs refused by admission control, remembered without a server transaction: a shed INVITE
 * gets no Timer G/H state (no 503 retransmitted for 32 s, no timers per refused call), but a
 * retransmission of it (same transaction key, RFC 3261 §17.2.3) must get the same 503 again — same
 * To tag — and must never be admitted later as a new call. Entries live `ttlMs` (64*T1, as long as
 * the client retransmits, §17.1.1.2) and at most `maxEntries` are kept, oldest dropped first.
 * Insertion order is time order, so expiry only ever looks at the front of the map.
 */
export class ShedMemory {
  private readonly entries = new Map<string, { readonly toTag: string; readonly at: number; readonly retryAfterS: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 65_536,
  ) {}

  /** The 503 this transaction key was given (its To tag and Retry-After), if it was shed recently. */
  get(key: string, now: number): { readonly toTag: string; readonly retryAfterS: number } | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (now - entry.at >= this.ttlMs) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  remember(key: string, toTag: string, retryAfterS: number, now: number): void {
    this.expire(now);
    while (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done === true) break;
      this.entries.delete(oldest.value);
    }
    this.entries.set(key, { toTag, at: now, retryAfterS });
  }

  get size(): number {
    return this.entries.size;
  }

  clear(): void {
    this.entries.clear();
  }

  private expire(now: number): void {
    for (const [key, entry] of this.entries) {
      if (now - entry.at < this.ttlMs) return;
      this.entries.delete(key);
    }
  }
}
