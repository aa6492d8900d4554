/** Packets behind the highest one received that are still accepted (libsrtp's default is 128 too). */
export const REPLAY_WINDOW = 128;

/**
 * The SRTP replay list of one SSRC (RFC 3711 §3.3.2): a packet index (ROC·2^16 + SEQ) seen before,
 * or older than the window behind the highest index seen, is a replay. Slot `index % REPLAY_WINDOW`
 * holds the last index stored there: inside the window each index has its own slot. No allocation per
 * packet. The caller checks an index only after the packet authenticated (§3.3: a forged packet must
 * not move the window).
 */
export class ReplayWindow {
  private readonly slots = new Float64Array(REPLAY_WINDOW).fill(-1);
  private highest = -1;

  /** True when `index` was not received before (and marks it received); false for a replay. */
  accept(index: number): boolean {
    if (this.highest >= 0 && index <= this.highest - REPLAY_WINDOW) return false;
    const slot = index % REPLAY_WINDOW;
    if (this.slots[slot] === index) return false;
    this.slots[slot] = index;
    if (index > this.highest) this.highest = index;
    return true;
  }
}
