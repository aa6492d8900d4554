import type { PlaybackOutcome } from './media-types.js';
import type { Prompt } from './prompt-library.js';
import type { Codec } from './sdp-negotiator.js';
import { ALAW_SILENCE, ULAW_SILENCE } from './g711.js';

/** 160 samples = 20 ms at 8 kHz, one byte each in G.711. */
export const FRAME_BYTES = 160;

export function silenceByte(codec: Codec): number {
  return codec === 'PCMA' ? ALAW_SILENCE : ULAW_SILENCE;
}

const SILENCE_FRAMES: Readonly<Record<Codec, Buffer>> = {
  PCMU: Buffer.alloc(FRAME_BYTES, ULAW_SILENCE),
  PCMA: Buffer.alloc(FRAME_BYTES, ALAW_SILENCE),
};

/** A 20 ms frame of silence, shared: read it (encodeRtp copies it), never write to it. */
export function silenceFrame(codec: Codec): Buffer {
  return SILENCE_FRAMES[codec];
}

/**
 * One play() request: a cursor over prompts' ready payload, cut into 20 ms frames on demand.
 * Prompts follow each other without a gap; the last frame is padded with silence. Frames that fall
 * inside one prompt are views (no copy); only a frame straddling two prompts is assembled.
 * With `loop` the cursor wraps to the first prompt after the last (no gap), so it is never exhausted
 * unless every prompt is empty.
 */
export class Playback {
  readonly done: Promise<PlaybackOutcome>;
  private readonly resolveDone: (outcome: PlaybackOutcome) => void;
  private index = 0;
  private offset = 0;
  private finished = false;
  private readonly loop: boolean;

  constructor(
    private readonly prompts: readonly Prompt[],
    private readonly cleanup: () => void = () => undefined,
    options: { loop?: boolean } = {},
  ) {
    // Looping a list of empty prompts would spin forever: it plays (nothing) once instead.
    this.loop = options.loop === true && prompts.some((p) => p.pcmu.length > 0);
    let resolve: (outcome: PlaybackOutcome) => void = () => undefined;
    this.done = new Promise<PlaybackOutcome>((r) => {
      resolve = r;
    });
    this.resolveDone = resolve;
    this.skipEmpty();
  }

  get isFinished(): boolean {
    return this.finished;
  }

  /** True when every frame was handed out. */
  get exhausted(): boolean {
    return this.index >= this.prompts.length;
  }

  /** The next 20 ms of payload in `codec`, or undefined when nothing is left. */
  nextFrame(codec: Codec): Buffer | undefined {
    const first = this.prompts[this.index];
    if (first === undefined) return undefined;
    const data = codec === 'PCMA' ? first.pcma : first.pcmu;
    if (this.offset + FRAME_BYTES <= data.length) {
      const frame = data.subarray(this.offset, this.offset + FRAME_BYTES);
      this.offset += FRAME_BYTES;
      if (this.offset === data.length) this.advance();
      return frame;
    }
    const frame = Buffer.alloc(FRAME_BYTES, silenceByte(codec));
    let filled = 0;
    while (filled < FRAME_BYTES) {
      const p = this.prompts[this.index];
      if (p === undefined) break;
      const src = codec === 'PCMA' ? p.pcma : p.pcmu;
      const n = Math.min(FRAME_BYTES - filled, src.length - this.offset);
      src.copy(frame, filled, this.offset, this.offset + n);
      filled += n;
      this.offset += n;
      if (this.offset >= src.length) this.advance();
    }
    return frame;
  }

  /** Settles the play() promise once; later calls do nothing. */
  finish(outcome: PlaybackOutcome): void {
    if (this.finished) return;
    this.finished = true;
    this.cleanup();
    this.resolveDone(outcome);
  }

  private advance(): void {
    this.index++;
    this.offset = 0;
    this.skipEmpty();
  }

  private skipEmpty(): void {
    for (;;) {
      while (this.index < this.prompts.length && (this.prompts[this.index]?.pcmu.length ?? 0) === 0) this.index++;
      if (!this.loop || this.index < this.prompts.length) return;
      this.index = 0;
    }
  }
}
