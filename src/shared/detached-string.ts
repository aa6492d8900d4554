/**
 * A copy of `s` that shares no memory with the string it was cut from. V8 represents a slice of 13
 * or more characters (e.g. a Call-ID parsed out of a SIP message) as a pointer into its parent, so a
 * long-lived map keyed by such a slice keeps the whole ~2 KB datagram alive for as long as the key
 * lives. Use it for strings a structure keeps after the message is handled.
 */
export function detachedString(s: string): string {
  // JSON.parse builds a fresh sequential string; the round trip is exact for every string.
  return JSON.parse(JSON.stringify(s)) as string;
}
