/**
 * Minimal WAV reader for end-to-end assertions on audio: duration and RMS energy per channel.
 *
 * Handles what our tools write: baresip's sndfile module (RIFF, 16-bit signed PCM, 8 kHz mono),
 * sox output, and G.711 A-law/µ-law WAVs (format tags 6/7, 8-bit) a call recorder may write.
 * A file still being written (data size 0, 0xFFFFFFFF or past the end) is read up to its end.
 * Also writes a test tone (a browser's fake microphone) and measures how much of a channel's energy
 * is one frequency (Goertzel), to tell whose audio landed on which channel.
 */
import { readFileSync, writeFileSync } from 'node:fs';

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

/**
 * The frequency of a tone on `channel`, from the sign changes of its audible 20 ms windows only (RMS
 * above `threshold`; silences and gaps are skipped). A pure tone reads as its frequency; noise, e.g.
 * SRTP payloads played undecrypted, reads far higher (near half the sample rate).
 */
export function toneHz(wav: Wav, channel = 0, threshold = 0.02, window: TimeWindow = {}): number {
  const samples = wav.samples[channel];
  if (samples === undefined) throw new Error(`WAV has no channel ${channel}`);
  const step = Math.max(1, Math.round(wav.sampleRate / 50));
  const [start, end] = frameBounds(wav, window);
  let crossings = 0;
  let counted = 0;
  for (let from = start; from + step <= end; from += step) {
    if (rms(samples, from, from + step) <= threshold) continue;
    let last = 0;
    for (let i = from; i < from + step; i += 1) {
      const v = samples[i] ?? 0;
      if (Math.abs(v) < 0.002) continue;
      const sign = Math.sign(v);
      if (last !== 0 && sign !== last) crossings += 1;
      last = sign;
    }
    counted += step;
  }
  return counted === 0 ? 0 : (crossings / 2) * (wav.sampleRate / counted);
}

export interface ToneOptions {
  readonly frequencyHz: number;
  readonly seconds: number;
  /** Default 48 000 (what Chromium's fake capture device plays best). */
  readonly sampleRate?: number;
  /** 0..1 of full scale, default 0.5. */
  readonly amplitude?: number;
}

/** Writes a mono 16-bit PCM WAV of one sine tone (e.g. for --use-file-for-fake-audio-capture). */
export function writeToneWav(path: string, options: ToneOptions): void {
  const rate = options.sampleRate ?? 48_000;
  const frames = Math.round(options.seconds * rate);
  const amplitude = options.amplitude ?? 0.5;
  const data = Buffer.alloc(frames * 2);
  for (let i = 0; i < frames; i += 1) {
    data.writeInt16LE(Math.round(amplitude * 32767 * Math.sin((2 * Math.PI * options.frequencyHz * i) / rate)), i * 2);
  }
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVE', 8, 'ascii');
  header.write('fmt ', 12, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(FORMAT_PCM, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(rate, 24);
  header.writeUInt32LE(rate * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(data.length, 40);
  writeFileSync(path, Buffer.concat([header, data]));
}

/**
 * The share (0..1) of a channel's energy over the window that lies at `frequencyHz`: Goertzel power
 * of 50 ms blocks (rectangular window; 20 Hz bins at 8 kHz) over the blocks' total energy. A clean
 * sine at a bin frequency gives ≈1, speech or silence near 0. 0 when the window has no energy at all.
 */
export function toneShare(wav: Wav, frequencyHz: number, channel: number, window: TimeWindow = {}): number {
  const samples = wav.samples[channel];
  if (samples === undefined) throw new Error(`WAV has no channel ${channel}`);
  const [from, to] = frameBounds(wav, window);
  const block = Math.max(1, Math.round(wav.sampleRate * 0.05));
  const coefficient = 2 * Math.cos((2 * Math.PI * frequencyHz) / wav.sampleRate);
  let tone = 0;
  let total = 0;
  for (let start = from; start + block <= to; start += block) {
    let s1 = 0;
    let s2 = 0;
    for (let i = start; i < start + block; i += 1) {
      const x = samples[i] ?? 0;
      total += x * x;
      const s0 = x + coefficient * s1 - s2;
      s2 = s1;
      s1 = s0;
    }
    // |X(f)|² = s1² + s2² − c·s1·s2; a sine of amplitude A puts (A·N/2)² there and A²·N/2 in Σx².
    tone += ((s1 * s1 + s2 * s2 - coefficient * s1 * s2) * 2) / block;
  }
  return total > 0 ? tone / total : 0;
}
