import type { Clock } from '../shared/clock.js';
import type { Logger } from '../logging/logger.js';
import type { IvrChannel, PlayOutcome } from './ivr-channel.js';
import type { KeyBuffer } from './key-buffer.js';
import type { OrderLookup } from './order-lookup.js';
import type { Speech } from './speech/speech.js';
import type { AfterHoursDesk } from './after-hours.js';

/** What a node sees while it runs: the channel, the caller's keys, time, a logger and the variables. */
export class NodeContext {
  /** Texts the `speak` nodes synthesised, in order (the run's result carries them for the call record). */
  readonly spoken: string[] = [];

  constructor(
    readonly channel: IvrChannel,
    readonly keys: KeyBuffer,
    readonly clock: Clock,
    readonly logger: Logger,
    readonly variables: Map<string, string>,
    /** Text to speech for `speak` nodes; absent, they play their fallback. */
    readonly speech?: Speech,
    /** Work orders for `order-status` nodes; absent, they go to `notFound`. */
    readonly orders?: OrderLookup,
    /** Night mode: queue openings, callback requests, messages; absent, every queue is open and nothing is stored. */
    readonly afterHours?: AfterHoursDesk,
  ) {}

  get ended(): boolean {
    return this.channel.ended;
  }

  /** A method, not the property, so the compiler does not assume it stays false across an await. */
  hasEnded(): boolean {
    return this.channel.ended;
  }

  /**
   * Plays prompts. With `bargeIn`, a key pressed during them stops the playback and stays queued
   * for the node to read; if a key is already queued (type-ahead) the prompts are skipped.
   * Without it, the prompts play to the end; keys pressed meanwhile stay queued (the node decides).
   */
  async play(prompts: readonly string[], options: { bargeIn: boolean }): Promise<PlayOutcome> {
    if (this.hasEnded()) return 'ended';
    if (prompts.length === 0) return 'completed';
    if (options.bargeIn && this.keys.pending > 0) return 'stopped';
    const controller = new AbortController();
    const off = options.bargeIn
      ? this.keys.onKey(() => {
          controller.abort();
        })
      : undefined;
    try {
      const outcome = await this.channel.play(prompts, controller.signal);
      // A channel may finish a prompt a moment after the BYE; report the hang-up, not the prompt.
      return this.hasEnded() ? 'ended' : outcome;
    } finally {
      off?.();
    }
  }
}
