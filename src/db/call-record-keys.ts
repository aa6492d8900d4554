/**
 * Which record a Call-ID's updates go to: the record key of the newest call created with it in this
 * process. A Call-ID reused by a second call then updates the second call's row, not the first.
 * Bounded (oldest forgotten first): a forgotten Call-ID falls back to the row stored under it.
 */
export class CallRecordKeys {
  private readonly keys = new Map<string, string>();

  constructor(private readonly max = 100_000) {}

  remember(callId: string, key: string): void {
    this.keys.delete(callId);
    this.keys.set(callId, key);
    if (this.keys.size > this.max) {
      const oldest = this.keys.keys().next();
      if (oldest.done !== true) this.keys.delete(oldest.value);
    }
  }

  keyOf(callId: string): string | undefined {
    return this.keys.get(callId);
  }
}
