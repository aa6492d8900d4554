import { readFile } from 'node:fs/promises';
import { MediaError } from './media-error.js';

/** WAVE format tags (RFC 2361 / mmreg.h) we read. */
const FORMAT_PCM = 1;
const FORMAT_ALAW = 6;
const FORMAT_MULAW = 7;
const FORMAT_EXTENSIBLE = 0xfffe;

export type WavEncoding = 'pcm16' | 'ulaw' | 'alaw';

export interface WavAudio {
  encoding: WavEncoding;
  sampleRate: number;
  channels: number;
  /** The data chunk: little-endian int16 samples for pcm16, one byte per sample for ulaw/alaw. */
  data: Buffer;
}

function refuse(source: string, reason: string): MediaError {
  return new MediaError('PROMPT_INVALID', `${source}: ${reason}`);
}

/**
 * Parses a RIFF/WAVE file holding 8 kHz mono audio: 16-bit PCM (format 1), A-law (6) or μ-law (7),
 * also inside WAVE_FORMAT_EXTENSIBLE. Chunks are walked by size (word-aligned, RIFF pad byte), so
 * `fact`, `LIST` and other chunks are skipped. `source` names the file in the error.
 */
export function parseWav(buf: Buffer, source: string): WavAudio {
  if (buf.length < 12 || buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE') {
    throw refuse(source, 'not a RIFF/WAVE file');
  }
  let format: number | undefined;
  let channels = 0;
  let sampleRate = 0;
  let bitsPerSample = 0;
  let data: Buffer | undefined;
  let offset = 12;
  while (offset + 8 <= buf.length) {
    const id = buf.toString('ascii', offset, offset + 4);
    const size = buf.readUInt32LE(offset + 4);
    const body = offset + 8;
    // A truncated last chunk (common for streamed writers) is read up to the end of the file.
    const end = Math.min(body + size, buf.length);
    if (id === 'fmt ') {
      if (end - body < 16) throw refuse(source, 'fmt chunk too short');
      format = buf.readUInt16LE(body);
      channels = buf.readUInt16LE(body + 2);
      sampleRate = buf.readUInt32LE(body + 4);
      bitsPerSample = buf.readUInt16LE(body + 14);
      if (format === FORMAT_EXTENSIBLE) {
        if (end - body < 26) throw refuse(source, 'WAVE_FORMAT_EXTENSIBLE fmt chunk too short');
        // The sub-format GUID starts with the format tag (KSDATAFORMAT_SUBTYPE_*).
        format = buf.readUInt16LE(body + 24);
      }
    } else if (id === 'data') {
      data = buf.subarray(body, end);
    }
    offset = body + size + (size % 2);
  }
  if (format === undefined) throw refuse(source, 'no fmt chunk');
  if (data === undefined) throw refuse(source, 'no data chunk');
  let encoding: WavEncoding;
  if (format === FORMAT_PCM && bitsPerSample === 16) encoding = 'pcm16';
  else if (format === FORMAT_MULAW && bitsPerSample === 8) encoding = 'ulaw';
  else if (format === FORMAT_ALAW && bitsPerSample === 8) encoding = 'alaw';
  else {
    throw refuse(source, `unsupported encoding (format ${format}, ${bitsPerSample} bits): need 16-bit PCM, μ-law or A-law`);
  }
  if (sampleRate !== 8000) throw refuse(source, `sample rate is ${sampleRate} Hz, need 8000 Hz`);
  if (channels !== 1) throw refuse(source, `has ${channels} channels, need mono`);
  if (encoding === 'pcm16' && data.length % 2 !== 0) data = data.subarray(0, data.length - 1);
  return { encoding, sampleRate, channels, data };
}

/** Reads and parses a WAV file; see parseWav. */
export async function readWav(path: string): Promise<WavAudio> {
  let buf: Buffer;
  try {
    buf = await readFile(path);
  } catch (err) {
    throw new MediaError('PROMPT_INVALID', `${path}: cannot read (${err instanceof Error ? err.message : String(err)})`, { cause: err });
  }
  return parseWav(buf, path);
}
