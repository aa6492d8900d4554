/** How a `play()` ended: every prompt played, stopped by the abort signal, or the caller hung up. */
export type PlayOutcome = 'completed' | 'stopped' | 'ended';

/**
 * The port the IVR interpreter talks to: one answered call, seen as prompts out and keys in.
 * calls/ adapts a telephony `CallLeg` to it; tests use a fake. Kept this small on purpose so the
 * interpreter never learns about SIP, RTP or DTMF transport.
 */
export interface IvrChannel {
  /**
   * Plays the named prompts in order. Resolves `stopped` soon after `signal` aborts (barge-in) and
   * `ended` if the caller hangs up meanwhile. Must not reject for either of those.
   */
  play(prompts: readonly string[], signal?: AbortSignal): Promise<PlayOutcome>;
  /** Subscribe to key presses (one call per key, 0-9 * # A-D); returns an unsubscribe function. */
  onDigit(listener: (digit: string) => void): () => void;
  /** True once the caller hung up. */
  readonly ended: boolean;
  /** Called once when the caller hangs up; returns an unsubscribe function. */
  onEnded(listener: () => void): () => void;
}
