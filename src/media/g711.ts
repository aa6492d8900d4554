/**
 * G.711 (ITU-T G.711, 1988) μ-law and A-law companding with lookup tables.
 * Encoding tables are indexed by the 16-bit sample shifted right by 2 (14-bit magnitude resolution is
 * all G.711 keeps), so one table read per sample; decoding tables hold 256 linear values.
 */

const ULAW_BIAS = 0x84;
const ULAW_CLIP = 32635;

function encodeUlawSample(sample: number): number {
  let s = sample;
  const sign = s < 0 ? 0x80 : 0;
  if (s < 0) s = -s;
  if (s > ULAW_CLIP) s = ULAW_CLIP;
  s += ULAW_BIAS;
  let exponent = 7;
  for (let mask = 0x4000; (s & mask) === 0 && exponent > 0; mask >>= 1) exponent--;
  const mantissa = (s >> (exponent + 3)) & 0x0f;
  return ~(sign | (exponent << 4) | mantissa) & 0xff;
}

function decodeUlawSample(code: number): number {
  const u = ~code & 0xff;
  const exponent = (u >> 4) & 0x07;
  const mantissa = u & 0x0f;
  const magnitude = (((mantissa << 3) + ULAW_BIAS) << exponent) - ULAW_BIAS;
  return (u & 0x80) !== 0 ? -magnitude : magnitude;
}

function encodeAlawSample(sample: number): number {
  let s = sample;
  let sign = 0x80;
  if (s < 0) {
    sign = 0;
    s = -s - 1;
  }
  if (s > 32767) s = 32767;
  let code: number;
  if (s < 256) {
    code = s >> 4;
  } else {
    let exponent = 7;
    for (let mask = 0x4000; (s & mask) === 0 && exponent > 1; mask >>= 1) exponent--;
    code = (exponent << 4) | ((s >> (exponent + 3)) & 0x0f);
  }
  // Even bits inverted (G.711 §A.2): the 0x55 mask.
  return (code | sign) ^ 0x55;
}

function decodeAlawSample(code: number): number {
  const a = code ^ 0x55;
  const exponent = (a >> 4) & 0x07;
  const mantissa = a & 0x0f;
  let magnitude = exponent === 0 ? (mantissa << 4) + 8 : ((mantissa << 4) + 0x108) << (exponent - 1);
  if ((a & 0x80) === 0) magnitude = -magnitude;
  return magnitude;
}

function build(size: number, fn: (i: number) => number, Type: Int16ArrayConstructor | Uint8ArrayConstructor): Int16Array | Uint8Array {
  const t = new Type(size);
  for (let i = 0; i < size; i++) t[i] = fn(i);
  return t;
}

/** 256 linear values for each μ-law byte. */
export const ULAW_TO_LINEAR = build(256, decodeUlawSample, Int16Array) as Int16Array;
/** 256 linear values for each A-law byte. */
export const ALAW_TO_LINEAR = build(256, decodeAlawSample, Int16Array) as Int16Array;
/** μ-law byte for each (int16 sample >> 2) + 8192. */
const LINEAR_TO_ULAW = build(16384, (i) => encodeUlawSample((i - 8192) << 2), Uint8Array) as Uint8Array;
/** A-law byte for each (int16 sample >> 2) + 8192. */
const LINEAR_TO_ALAW = build(16384, (i) => encodeAlawSample((i - 8192) << 2), Uint8Array) as Uint8Array;
/** A-law byte for each μ-law byte (through the linear value, as G.711 Table 3 does). */
export const ULAW_TO_ALAW = build(256, (i) => encodeAlawSample(decodeUlawSample(i)), Uint8Array) as Uint8Array;
/** μ-law byte for each A-law byte. */
export const ALAW_TO_ULAW = build(256, (i) => encodeUlawSample(decodeAlawSample(i)), Uint8Array) as Uint8Array;

/** Encoded silence: what a codec sends for a zero sample. */
export const ULAW_SILENCE = 0xff;
export const ALAW_SILENCE = 0xd5;

function lut(table: Uint8Array, sample: number): number {
  return table[(sample >> 2) + 8192] ?? 0;
}

export function linearToUlaw(sample: number): number {
  return lut(LINEAR_TO_ULAW, sample);
}

export function linearToAlaw(sample: number): number {
  return lut(LINEAR_TO_ALAW, sample);
}

export function ulawToLinear(code: number): number {
  return ULAW_TO_LINEAR[code & 0xff] ?? 0;
}

export function alawToLinear(code: number): number {
  return ALAW_TO_LINEAR[code & 0xff] ?? 0;
}

/** Encodes 16-bit linear PCM samples to μ-law bytes. */
export function encodeUlaw(samples: Int16Array): Buffer {
  const out = Buffer.allocUnsafe(samples.length);
  for (let i = 0; i < samples.length; i++) out[i] = lut(LINEAR_TO_ULAW, samples[i] ?? 0);
  return out;
}

/** Encodes 16-bit linear PCM samples to A-law bytes. */
export function encodeAlaw(samples: Int16Array): Buffer {
  const out = Buffer.allocUnsafe(samples.length);
  for (let i = 0; i < samples.length; i++) out[i] = lut(LINEAR_TO_ALAW, samples[i] ?? 0);
  return out;
}

/** Maps every byte of `input` through a 256-entry table (μ-law ↔ A-law, decode). */
export function mapBytes(input: Uint8Array, table: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(input.length);
  for (let i = 0; i < input.length; i++) out[i] = table[input[i] ?? 0] ?? 0;
  return out;
}

export function decodeUlaw(input: Uint8Array): Int16Array {
  const out = new Int16Array(input.length);
  for (let i = 0; i < input.length; i++) out[i] = ULAW_TO_LINEAR[input[i] ?? 0] ?? 0;
  return out;
}

export function decodeAlaw(input: Uint8Array): Int16Array {
  const out = new Int16Array(input.length);
  for (let i = 0; i < input.length; i++) out[i] = ALAW_TO_LINEAR[input[i] ?? 0] ?? 0;
  return out;
}
