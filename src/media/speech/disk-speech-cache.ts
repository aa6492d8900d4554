import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, stat, unlink, utimes } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../../logging/logger.js';
import type { Synthesizer } from './espeak-synthesizer.js';

export interface DiskSpeechCacheOptions {
  /** The folder (created when missing); holds only this cache's files. */
  readonly dir: string;
  /** Most bytes of audio kept; past it the least recently used files go. */
  readonly maxBytes: number;
  /** What else the audio depends on besides the text (synthesiser, voice, speed): part of every key. */
  readonly voice: string;
  readonly logger: Logger;
  /** For tests: the time written as a file's last use (default Date.now). */
  readonly now?: () => number;
}

/** The cache's files: `<64 hex digits>.ulaw`; anything else in the folder is left alone. */
const ENTRY = /^[0-9a-f]{64}\.ulaw$/;
const TEMP = /^[0-9a-f]{64}\.ulaw\.tmp-/;

/**
 * Synthesised speech kept on disk (SPEECH_CACHE_DIR), so a restart does not synthesise a text again:
 * a Synthesizer in front of the real one. Keyed by sha256(voice, text): file names are safe whatever
 * the text holds, and the text itself is never written (it may name a resident's unit or reply).
 * Writes are atomic (a temporary file, fsync'd, renamed over the name), so a crash leaves a whole file
 * or none; leftover temporary files are removed at open. Bounded by `maxBytes`, least recently used
 * out first: a hit stamps the file's modification time (atime is unreliable under noatime/relatime
 * mounts), and the sizes are kept in memory after one scan at open. Reads and writes are async file
 * I/O (libuv's pool): the event loop never waits on the disk.
 */
export class DiskSpeechCache implements Synthesizer {
  /** Key → size and last use, for the LRU; filled by open(). */
  private readonly entries = new Map<string, { bytes: number; usedAt: number }>();
  private bytes = 0;
  /** Counters for tests and logs. */
  readonly stats = { hits: 0, misses: 0, writes: 0, evictions: 0, errors: 0 };
  private readonly writing = new Set<Promise<void>>();

  private constructor(
    private readonly inner: Synthesizer,
    private readonly options: DiskSpeechCacheOptions,
  ) {}

  /** Creates the folder if needed, removes leftovers of interrupted writes, and reads what is cached. */
  static async open(inner: Synthesizer, options: DiskSpeechCacheOptions): Promise<DiskSpeechCache> {
    const cache = new DiskSpeechCache(inner, options);
    await mkdir(options.dir, { recursive: true, mode: 0o700 });
    for (const name of await readdir(options.dir)) {
      const file = path.join(options.dir, name);
      if (TEMP.test(name)) {
        await unlink(file).catch(() => undefined);
        continue;
      }
      if (!ENTRY.test(name)) continue;
      const s = await stat(file);
      cache.entries.set(name.slice(0, 64), { bytes: s.size, usedAt: s.mtimeMs });
      cache.bytes += s.size;
    }
    await cache.evict();
    return cache;
  }

  /** Entries and bytes on disk. */
  get size(): { readonly entries: number; readonly bytes: number } {
    return { entries: this.entries.size, bytes: this.bytes };
  }

  /** The file name part for `text` (sha256 of the voice and the text, hex). */
  keyOf(text: string): string {
    return createHash('sha256').update(this.options.voice).update('\u0000').update(text).digest('hex');
  }

  /** The cached audio when there is some (its use stamped), else the synthesiser's, then stored. */
  async synthesize(text: string, signal: AbortSignal): Promise<Buffer> {
    const key = this.keyOf(text);
    const cached = await this.read(key);
    if (cached !== undefined) {
      this.stats.hits++;
      return cached;
    }
    this.stats.misses++;
    const audio = await this.inner.synthesize(text, signal);
    // The caller need not wait for the disk: a failed write only costs a synthesis later.
    const writing = this.write(key, audio);
    this.writing.add(writing);
    void writing.finally(() => this.writing.delete(writing));
    return audio;
  }

  /** Resolves once every write started so far (and the evictions it caused) has finished. */
  async flush(): Promise<void> {
    while (this.writing.size > 0) await Promise.all([...this.writing]);
  }

  private file(key: string): string {
    return path.join(this.options.dir, `${key}.ulaw`);
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  private async read(key: string): Promise<Buffer | undefined> {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    try {
      const audio = await readFile(this.file(key));
      const now = this.now();
      entry.usedAt = now;
      await utimes(this.file(key), now / 1000, now / 1000).catch(() => undefined);
      return audio.length > 0 ? audio : undefined;
    } catch (err) {
      // Removed behind our back (or unreadable): forget it and synthesise again.
      this.forget(key);
      this.stats.errors++;
      this.options.logger.warn('speech cache read failed', { error: err instanceof Error ? err.message : String(err) });
      return undefined;
    }
  }

  private async write(key: string, audio: Buffer): Promise<void> {
    if (audio.length === 0 || audio.length > this.options.maxBytes) return;
    const target = this.file(key);
    const tmp = `${target}.tmp-${randomBytes(6).toString('hex')}`;
    try {
      const handle = await open(tmp, 'wx', 0o600);
      try {
        await handle.writeFile(audio);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(tmp, target);
      const now = this.now();
      // The same clock as a hit's stamp, so the order survives a restart.
      await utimes(target, now / 1000, now / 1000);
      this.forget(key);
      this.entries.set(key, { bytes: audio.length, usedAt: now });
      this.bytes += audio.length;
      this.stats.writes++;
      await this.evict();
    } catch (err) {
      this.stats.errors++;
      await unlink(tmp).catch(() => undefined);
      this.options.logger.warn('speech cache write failed', { error: err instanceof Error ? err.message : String(err) });
    }
  }

  private forget(key: string): void {
    const old = this.entries.get(key);
    if (old === undefined) return;
    this.entries.delete(key);
    this.bytes -= old.bytes;
  }

  /** Removes the least recently used files until the cache fits. */
  private async evict(): Promise<void> {
    if (this.bytes <= this.options.maxBytes) return;
    const oldest = [...this.entries].sort((a, b) => a[1].usedAt - b[1].usedAt);
    for (const [key] of oldest) {
      if (this.bytes <= this.options.maxBytes) break;
      this.forget(key);
      this.stats.evictions++;
      await unlink(this.file(key)).catch(() => undefined);
    }
  }
}
