import { detachedString } from '../shared/detached-string.js';

/**
 * Which record a Call-ID's updates go to: the record key of the newest call created with it in this
 * process. A Call-ID reused by a second call then updates the second call's row, not the first.
 * Bounded (oldest forgotten first): a forgotten Call-ID falls back to the row stored under it.
 * Keys are stored detached from the SIP message they were parsed from: a Call-ID is a slice of the
 * INVITE's text, and 100 000 of them kept the whole INVITEs (~2 KB each) alive.
 */
export class CallRecordKeys {
  private readonly keys = new Map<string, string>();

  constructor(private readonly max = 100_000) {}

  remember(callId: string, key: string): void {
    this.keys.delete(callId);
    this.keys.set(detachedString(callId), detachedString(key));
    if (this.keys.size > this.max) {
      const oldest = this.keys.keys().next();
      if (oldest.done !== true) this.keys.delete(oldest.value);
    }
  }

  keyOf(callId: string): string | undefined {
    return this.keys.get(callId);
  }
}
