import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, open } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Logger } from '../logging/logger.js';

const HEADER_BYTES = 44;
const FORMAT_PCM = 1;

/** A canonical 44-byte RIFF/WAVE header for 16-bit PCM; sizes are fixed by finish(). */
export function wavHeader(channels: number, sampleRate: number, dataBytes: number): Buffer {
  const h = Buffer.alloc(HEADER_BYTES);
  h.write('RIFF', 0, 'ascii');
  h.writeUInt32LE(36 + dataBytes, 4);
  h.write('WAVE', 8, 'ascii');
  h.write('fmt ', 12, 'ascii');
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(FORMAT_PCM, 20);
  h.writeUInt16LE(channels, 22);
  h.writeUInt32LE(sampleRate, 24);
  h.writeUInt32LE(sampleRate * channels * 2, 28); // byte rate
  h.writeUInt16LE(channels * 2, 32); // block align
  h.writeUInt16LE(16, 34); // bits per sample
  h.write('data', 36, 'ascii');
  h.writeUInt32LE(dataBytes, 40);
  return h;
}

/**
 * Streams 16-bit PCM to a WAV file: creates the parent directories, writes the header with zero sizes
 * (a placeholder), appends chunks through one write stream (buffered by Node, no write per packet),
 * and on finish() patches the RIFF and data sizes in place. Chunks written before the file is open
 * are queued. A failure (disk full, no permission) is logged once and later chunks are dropped: a
 * recording must never take the call down.
 */
export class WavFileWriter {
  private stream: WriteStream | undefined;
  private readonly queued: Buffer[] = [];
  private readonly opened: Promise<void>;
  private dataBytes = 0;
  private failed = false;
  private finishing: Promise<void> | undefined;

  constructor(
    readonly path: string,
    private readonly channels: number,
    private readonly sampleRate: number,
    private readonly logger: Logger,
  ) {
    // Recordings are residents' voices: owner-only folder and file (issue 9, item 7).
    this.opened = mkdir(dirname(path), { recursive: true, mode: 0o700 }).then(
      () => {
        const stream = createWriteStream(path, { mode: 0o600 });
        stream.on('error', (err) => {
          this.fail(err);
        });
        stream.write(wavHeader(channels, sampleRate, 0));
        for (const chunk of this.queued) stream.write(chunk);
        this.queued.length = 0;
        this.stream = stream;
      },
      (err: unknown) => {
        this.fail(err);
      },
    );
  }

  /** Appends PCM bytes (interleaved little-endian int16). The buffer must not be reused by the caller. */
  write(chunk: Buffer): void {
    if (this.failed || this.finishing !== undefined || chunk.length === 0) return;
    this.dataBytes += chunk.length;
    if (this.stream === undefined) this.queued.push(chunk);
    else this.stream.write(chunk);
  }

  /** Flushes, closes the file and fixes the header sizes; resolves when the file is complete. Never rejects. */
  finish(): Promise<void> {
    this.finishing ??= this.doFinish();
    return this.finishing;
  }

  private async doFinish(): Promise<void> {
    await this.opened;
    const stream = this.stream;
    if (stream === undefined) return;
    if (!stream.closed) {
      await new Promise<void>((resolve) => {
        stream.once('close', resolve);
        stream.end();
      });
    }
    if (this.failed) return;
    try {
      const file = await open(this.path, 'r+');
      try {
        // RFC 2361 / RIFF: the RIFF chunk size at offset 4, the data chunk size at offset 40.
        const header = wavHeader(this.channels, this.sampleRate, this.dataBytes);
        await file.write(header, 4, 4, 4);
        await file.write(header, 40, 4, 40);
      } finally {
        await file.close();
      }
    } catch (err) {
      this.fail(err);
    }
  }

  private fail(err: unknown): void {
    if (this.failed) return;
    this.failed = true;
    this.queued.length = 0;
    this.logger.error('recording failed', { err: err instanceof Error ? err.message : String(err) });
  }
}
