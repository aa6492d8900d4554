import { performance } from 'node:perf_hooks';
import type { Logger } from '../logging/logger.js';
import { ALAW_TO_LINEAR, ULAW_TO_LINEAR } from './g711.js';
import { PTIME_MS, type ClockSubscriber, type MediaClock } from './media-clock.js';
import { FRAME_BYTES } from './playback.js';
import type { Codec } from './sdp-negotiator.js';
import { WavFileWriter } from './wav-file-writer.js';

const SAMPLE_RATE = 8000;
/** Samples of one 20 ms slot of the grid. */
const SLOT = FRAME_BYTES;
/** Bytes of one stereo slot: 160 × 2 channels × int16. */
const SLOT_BYTES = SLOT * 4;
/** A slot is written this many slots after its time, so packets up to 60 ms late still land in it. */
const FLUSH_DELAY_SLOTS = 3;
/** A packet arriving this much later than where its channel continues starts a new run there (loss, DTX). */
const GAP_SLOTS = 3;
/** A channel running this far ahead of the wall clock (a burst, a fast sender) drops packets. */
const MAX_AHEAD_SLOTS = 10;
/** Slots per write to the file: 500 ms of audio, 16 KB. */
const BATCH_SLOTS = 25;

export type RecorderChannel = 0 | 1;

/** One side's decoded audio not yet written, by slot of the grid. */
class Track {
  readonly slots = new Map<number, Int16Array>();
  /** Sample position (from the grid's start) where this side's audio continues. */
  next = 0;
  /** The last packet's SSRC, RTP timestamp and length in samples (undefined before the first). */
  ssrc: number | undefined;
  timestamp = 0;
  samples = 0;
}

/** What of a packet's RTP header tells whether it continues its side's previous packet. */
export interface RecorderRtp {
  readonly ssrc: number;
  readonly timestamp: number;
}

/**
 * Records two parties to one stereo WAV (channel 0 left, 1 right), 8 kHz 16-bit, decoded from G.711.
 *
 * Both sides are placed on one 20 ms grid starting at construction. A packet continues its side where
 * the previous one ended (so network jitter does not tear the audio), unless its arrival time says
 * more than GAP_SLOTS slots went missing: then it starts at its arrival slot and the gap stays silent.
 * The engine's shared clock flushes the grid: on each tick every slot older than FLUSH_DELAY_SLOTS is
 * written for both channels (silence where a side had no packet), in batches — no timer per packet.
 */
export class StereoRecorder implements ClockSubscriber {
  private readonly start = performance.now();
  private readonly tracks: readonly [Track, Track] = [new Track(), new Track()];
  private readonly writer: WavFileWriter;
  /** Slots before this one are written. */
  private written = 0;
  private batch = Buffer.alloc(BATCH_SLOTS * SLOT_BYTES);
  private batchSlots = 0;
  private closing: Promise<void> | undefined;

  constructor(
    readonly path: string,
    private readonly clock: MediaClock,
    logger: Logger,
  ) {
    this.writer = new WavFileWriter(path, 2, SAMPLE_RATE, logger);
    clock.add(this);
  }

  /**
   * Adds one received G.711 payload of a side, arrived at `arrivedAt` (performance.now()), with its RTP
   * SSRC and timestamp when known.
   */
  push(channel: RecorderChannel, payload: Uint8Array, codec: Codec, arrivedAt: number, rtp?: RecorderRtp): void {
    if (this.closing !== undefined) return;
    const track = this.tracks[channel];
    const arrival = Math.max(0, Math.floor((arrivedAt - this.start) / PTIME_MS)) * SLOT;
    // A packet whose RTP timestamp follows the previous one's (same SSRC) continues it however late it
    // came (a burst after a network stall). Otherwise the gap is measured from where this side's audio
    // ended, before the written point clamps it: a side silent since slot 5 that speaks again at slot 21
    // starts at 21, not at the written point (18).
    const continues = rtp !== undefined && track.ssrc === rtp.ssrc && ((rtp.timestamp - track.timestamp) >>> 0) === track.samples;
    let pos = track.next;
    if (!continues && arrival - pos > GAP_SLOTS * SLOT) pos = arrival;
    pos = Math.max(pos, this.written * SLOT);
    if (rtp !== undefined) {
      track.ssrc = rtp.ssrc;
      track.timestamp = rtp.timestamp;
      track.samples = payload.length;
    }
    if (pos - arrival > MAX_AHEAD_SLOTS * SLOT) return;
    const table = codec === 'PCMA' ? ALAW_TO_LINEAR : ULAW_TO_LINEAR;
    let i = 0;
    while (i < payload.length) {
      const slot = Math.floor((pos + i) / SLOT);
      let frame = track.slots.get(slot);
      if (frame === undefined) {
        frame = new Int16Array(SLOT);
        track.slots.set(slot, frame);
      }
      const from = (pos + i) % SLOT;
      const n = Math.min(SLOT - from, payload.length - i);
      for (let k = 0; k < n; k++) frame[from + k] = table[payload[i + k] ?? 0] ?? 0;
      i += n;
    }
    track.next = pos + payload.length;
  }

  /** Clock tick: writes the slots that no late packet can reach any more. Sends nothing. */
  onTick(): boolean {
    if (this.closing === undefined) this.flushTo(this.nowSlot() - FLUSH_DELAY_SLOTS);
    return false;
  }

  /** Writes everything up to now (and any audio already received past it) and completes the file. */
  close(): Promise<void> {
    if (this.closing === undefined) {
      this.clock.remove(this);
      const lastAudio = Math.max(...this.tracks.map((t) => Math.ceil(t.next / SLOT)));
      this.flushTo(Math.max(this.nowSlot(), lastAudio));
      this.writeBatch();
      this.closing = this.writer.finish();
    }
    return this.closing;
  }

  private nowSlot(): number {
    return Math.floor((performance.now() - this.start) / PTIME_MS);
  }

  private flushTo(end: number): void {
    const [left, right] = this.tracks;
    for (; this.written < end; this.written++) {
      const l = left.slots.get(this.written);
      const r = right.slots.get(this.written);
      left.slots.delete(this.written);
      right.slots.delete(this.written);
      const base = this.batchSlots * SLOT_BYTES;
      // Buffer.alloc zero-fills: a side without audio in this slot stays silent.
      for (let i = 0; i < SLOT; i++) {
        if (l !== undefined) this.batch.writeInt16LE(l[i] ?? 0, base + i * 4);
        if (r !== undefined) this.batch.writeInt16LE(r[i] ?? 0, base + i * 4 + 2);
      }
      this.batchSlots++;
      if (this.batchSlots === BATCH_SLOTS) this.writeBatch();
    }
  }

  private writeBatch(): void {
    if (this.batchSlots === 0) return;
    this.writer.write(this.batch.subarray(0, this.batchSlots * SLOT_BYTES));
    this.batch = Buffer.alloc(BATCH_SLOTS * SLOT_BYTES);
    this.batchSlots = 0;
  }
}
