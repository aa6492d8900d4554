/** How a `play()` ended: every prompt played, stopped by the abort signal, or the caller hung up. */
export type PlayOutcome = 'completed' | 'stopped' | 'ended';

/** How a recorded message ended: stopped (the node's signal, e.g. #), too long, silence, or the caller hung up. */
export interface ChannelRecording {
  readonly path: string;
  readonly end: 'stopped' | 'max-length' | 'silence' | 'closed';
  readonly durationMs: number;
  /** Of it, audio loud enough to be voice; 0 means nothing was said. */
  readonly voicedMs: number;
}

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
  /**
   * Records what the caller says to a new file (the channel picks it, under the recordings folder)
   * until `signal` aborts or `maxMs` / `silenceMs` end it; resolves once the file is complete, also
   * after a hang-up. Absent: this channel takes no messages.
   */
  record?(options: { readonly maxMs: number; readonly silenceMs: number }, signal?: AbortSignal): Promise<ChannelRecording>;
  /** Called once when the caller hangs up; returns an unsubscribe function. */
  onEnded(listener: () => void): () => void;
}
