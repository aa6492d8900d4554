import type { Logger } from '../logging/logger.js';
import { ALAW_TO_LINEAR, ULAW_TO_LINEAR } from './g711.js';
import type { RecordEnd, RecordOptions, RecordResult } from './media-types.js';
import type { Codec } from './sdp-negotiator.js';
import { WavFileWriter } from './wav-file-writer.js';

const SAMPLE_RATE = 8000;
const SAMPLES_PER_MS = SAMPLE_RATE / 1000;
/** One 20 ms frame. */
const FRAME_SAMPLES = 160;
/** Arrival this far behind the wall clock (loss, DTX) is filled with silence, so the message keeps its pauses. */
const GAP_SAMPLES = 3 * FRAME_SAMPLES;
/**
 * Mean absolute level (16-bit linear) above which a frame counts as voice. Line noise and comfort
 * noise sit well under 100; quiet speech is several hundred. Only the silence timeout uses it.
 */
export const VOICE_LEVEL = 300;

/**
 * Records one party's received audio (a caller leaving a message, 留言) to a mono 8 kHz 16-bit WAV,
 * decoded from G.711 as packets arrive; a gap in arrival longer than 60 ms is written as silence so
 * the message keeps its real length. `due()` (called on the media clock's tick) says when the message
 * is over by itself: `max-length` once `maxMs` of wall time passed, `silence` after `silenceMs`
 * without a voiced frame (from the start, or from the last voice).
 */
export class MessageRecorder {
  private readonly writer: WavFileWriter;
  private written = 0;
  private voicedFrames = 0;
  private lastVoiceAt: number;
  private finishing: Promise<RecordResult> | undefined;

  constructor(
    readonly path: string,
    private readonly options: RecordOptions,
    private readonly startedAt: number,
    logger: Logger,
  ) {
    this.writer = new WavFileWriter(path, 1, SAMPLE_RATE, logger);
    this.lastVoiceAt = startedAt;
  }

  /** One received G.711 payload, arrived at `now` (performance.now()). */
  push(payload: Uint8Array, codec: Codec, now: number): void {
    if (this.finishing !== undefined || payload.length === 0) return;
    const behind = Math.floor((now - this.startedAt) * SAMPLES_PER_MS) - payload.length - this.written;
    if (behind > GAP_SAMPLES) this.append(Buffer.alloc(behind * 2));
    const table = codec === 'PCMA' ? ALAW_TO_LINEAR : ULAW_TO_LINEAR;
    const pcm = Buffer.alloc(payload.length * 2);
    let level = 0;
    for (let i = 0; i < payload.length; i++) {
      const sample = table[payload[i] ?? 0] ?? 0;
      pcm.writeInt16LE(sample, i * 2);
      level += Math.abs(sample);
    }
    this.append(pcm);
    if (level / payload.length >= VOICE_LEVEL) {
      this.voicedFrames += payload.length / FRAME_SAMPLES;
      this.lastVoiceAt = now;
    }
  }

  /** Why the message is over at `now`, or undefined while it goes on. */
  due(now: number): RecordEnd | undefined {
    if (this.finishing !== undefined) return undefined;
    if (now - this.startedAt >= this.options.maxMs) return 'max-length';
    if (now - this.lastVoiceAt >= this.options.silenceMs) return 'silence';
    return undefined;
  }

  /**
   * Completes the file (header sizes fixed), silence added up to `now` (the caller's pause before the
   * # carries no audio packets); resolves with how it ended and how much was heard. Never rejects.
   */
  finish(end: RecordEnd, now: number): Promise<RecordResult> {
    if (this.finishing === undefined) {
      const behind = Math.floor((now - this.startedAt) * SAMPLES_PER_MS) - this.written;
      if (behind > 0) this.append(Buffer.alloc(behind * 2));
    }
    this.finishing ??= this.writer.finish().then(() => ({
      end,
      durationMs: Math.round(this.written / SAMPLES_PER_MS),
      voicedMs: Math.round((this.voicedFrames * FRAME_SAMPLES) / SAMPLES_PER_MS),
    }));
    return this.finishing;
  }

  private append(pcm: Buffer): void {
    this.writer.write(pcm);
    this.written += pcm.length / 2;
  }
}
