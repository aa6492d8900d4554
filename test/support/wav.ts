/**
 * Minimal WAV reader for end-to-end assertions on audio: duration and RMS energy per channel.
 *
 * Handles what our tools write: baresip's sndfile module (RIFF, 16-bit signed PCM, 8 kHz mono),
 * sox output, and G.711 A-law/µ-law WAVs (format tags 6/7, 8-bit) a call recorder may write.
 * A file still being written (data size 0, 0xFFFFFFFF or past the end) is read up to its end.
 */
import { readFileSync } from 'node:fs';

export type WavEncoding = 'pcm' | 'alaw' | 'ulaw';

export interface Wav {
  sampleRate: number;
  channels: number;
  bitsPerSample: number;
  encoding: WavEncoding;
  /** Samples per channel. */
  frames: number;
  durationS: number;
  /** One array per channel, samples normalised to -1..1. */
  samples: Float32Array[];
}

const FORMAT_PCM = 1;
const FORMAT_ALAW = 6;
const FORMAT_ULAW = 7;
const FORMAT_EXTENSIBLE = 0xfffe;

/** ITU-T G.711 A-law expansion to a 16-bit linear sample. */
function alawToLinear(byte: number): number {
  const a = byte ^ 0x55;
  const exponent = (a & 0x70) >> 4;
  let magnitude = (a & 0x0f) << 4;
  magnitude += exponent === 0 ? 8 : 0x108;
  if (exponent > 1) magnitude <<= exponent - 1;
  return (a & 0x80) !== 0 ? magnitude : -magnitude;
}

/** ITU-T G.711 µ-law expansion to a 16-bit linear sample. */
function ulawToLinear(byte: number): number {
  const u = ~byte & 0xff;
  const exponent = (u & 0x70) >> 4;
  const magnitude = (((u & 0x0f) << 3) + 0x84) << exponent;
  return (u & 0x80) !== 0 ? 0x84 - magnitude : magnitude - 0x84;
}

/** Parses a WAV file held in memory. Throws on anything that is not RIFF/WAVE PCM or G.711. */
export function parseWav(buf: Buffer): Wav {
  if (buf.length < 12 || buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE') {
    throw new Error('not a RIFF/WAVE file');
  }
  let offset = 12;
  let fmt: { tag: number; channels: number; sampleRate: number; bits: number; blockAlign: number } | undefined;
  let data: Buffer | undefined;
  while (offset + 8 <= buf.length) {
    const id = buf.toString('ascii', offset, offset + 4);
    const declared = buf.readUInt32LE(offset + 4);
    const bodyStart = offset + 8;
    const unfinished = declared === 0 || declared === 0xffffffff || bodyStart + declared > buf.length;
    const size = id === 'data' && unfinished ? buf.length - bodyStart : Math.min(declared, buf.length - bodyStart);
    if (id === 'fmt ') {
      let tag = buf.readUInt16LE(bodyStart);
      if (tag === FORMAT_EXTENSIBLE && size >= 26) tag = buf.readUInt16LE(bodyStart + 24);
      fmt = {
        tag,
        channels: buf.readUInt16LE(bodyStart + 2),
        sampleRate: buf.readUInt32LE(bodyStart + 4),
        blockAlign: buf.readUInt16LE(bodyStart + 12),
        bits: buf.readUInt16LE(bodyStart + 14),
      };
    } else if (id === 'data') {
      data = buf.subarray(bodyStart, bodyStart + size);
      break;
    }
    offset = bodyStart + size + (size % 2); // chunks are word aligned (RIFF spec)
  }
  if (fmt === undefined) throw new Error('WAV has no fmt chunk');
  if (data === undefined) throw new Error('WAV has no data chunk');
  let encoding: WavEncoding;
  if (fmt.tag === FORMAT_PCM && fmt.bits === 16) encoding = 'pcm';
  else if (fmt.tag === FORMAT_ALAW && fmt.bits === 8) encoding = 'alaw';
  else if (fmt.tag === FORMAT_ULAW && fmt.bits === 8) encoding = 'ulaw';
  else throw new Error(`unsupported WAV format tag ${fmt.tag} with ${fmt.bits} bits`);
  const bytesPerSample = fmt.bits / 8;
  const blockAlign = fmt.blockAlign > 0 ? fmt.blockAlign : bytesPerSample * fmt.channels;
  const frames = Math.floor(data.length / blockAlign);
  const samples: Float32Array[] = [];
  for (let ch = 0; ch < fmt.channels; ch += 1) samples.push(new Float32Array(frames));
  for (let i = 0; i < frames; i += 1) {
    for (let ch = 0; ch < fmt.channels; ch += 1) {
      const at = i * blockAlign + ch * bytesPerSample;
      let value: number;
      if (encoding === 'pcm') value = data.readInt16LE(at);
      else if (encoding === 'alaw') value = alawToLinear(data.readUInt8(at));
      else value = ulawToLinear(data.readUInt8(at));
      const channel = samples[ch];
      if (channel !== undefined) channel[i] = value / 32768;
    }
  }
  return {
    sampleRate: fmt.sampleRate,
    channels: fmt.channels,
    bitsPerSample: fmt.bits,
    encoding,
    frames,
    durationS: fmt.sampleRate > 0 ? frames / fmt.sampleRate : 0,
    samples,
  };
}

/** Reads and parses a WAV file from disk. */
export function readWav(path: string): Wav {
  return parseWav(readFileSync(path));
}

export interface TimeWindow {
  /** Seconds from the start; default 0. */
  fromS?: number;
  /** Seconds from the start; default the end of the file. */
  toS?: number;
}

function rms(channel: Float32Array, from: number, to: number): number {
  if (to <= from) return 0;
  let sum = 0;
  for (let i = from; i < to; i += 1) {
    const v = channel[i] ?? 0;
    sum += v * v;
  }
  return Math.sqrt(sum / (to - from));
}

function frameBounds(wav: Wav, window: TimeWindow): [number, number] {
  const from = Math.max(0, Math.floor((window.fromS ?? 0) * wav.sampleRate));
  const to = Math.min(wav.frames, Math.floor((window.toS ?? wav.durationS) * wav.sampleRate));
  return [from, to];
}

/**
 * RMS per channel, 0..1 of full scale (a full-scale sine is ≈0.707; silence is 0; G.711 idle noise
 * stays under 0.001). For stereo recordings index 0 is left, 1 is right.
 */
export function rmsPerChannel(wav: Wav, window: TimeWindow = {}): number[] {
  const [from, to] = frameBounds(wav, window);
  return wav.samples.map((channel) => rms(channel, from, to));
}

/** RMS expressed in dBFS (−Infinity for digital silence). */
export function toDbfs(rmsValue: number): number {
  return 20 * Math.log10(rmsValue);
}

/**
 * True when the RMS of `channel` (or of any channel when omitted) over the window exceeds `threshold`
 * (0..1 of full scale; 0.01 ≈ −40 dBFS is a good "someone is talking" line).
 */
export function energyAbove(wav: Wav, threshold: number, channel?: number, window: TimeWindow = {}): boolean {
  const levels = rmsPerChannel(wav, window);
  if (channel !== undefined) return (levels[channel] ?? 0) > threshold;
  return levels.some((level) => level > threshold);
}

/**
 * Seconds of audio whose 20 ms windows have RMS above `threshold` on `channel` (default 0): how
 * long something was audible, e.g. to tell a 3 s prompt from a 6 s one.
 */
export function activeSeconds(wav: Wav, threshold: number, channel = 0, windowMs = 20): number {
  const samples = wav.samples[channel];
  if (samples === undefined) throw new Error(`WAV has no channel ${channel}`);
  const step = Math.max(1, Math.round((wav.sampleRate * windowMs) / 1000));
  let active = 0;
  for (let from = 0; from + step <= wav.frames; from += step) {
    if (rms(samples, from, from + step) > threshold) active += step;
  }
  return active / wav.sampleRate;
}
