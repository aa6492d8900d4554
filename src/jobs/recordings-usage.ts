import type { Dirent } from 'node:fs';
import { readdir, stat, statfs } from 'node:fs/promises';
import { join } from 'node:path';
import type { Clock } from '../shared/clock.js';
import { folderUsage, isMissing, type FolderUsage } from '../shared/folder-usage.js';

/** The recordings folder as /metrics shows it. */
export interface RecordingsUsageSnapshot extends FolderUsage {
  /** Bytes free on the filesystem holding the folder (for unprivileged users); undefined when unknown. */
  readonly freeBytes: number | undefined;
  /** When it was measured (clock ms). */
  readonly at: number;
}

/**
 * A day folder is walked again only when it may have changed: its entries changed (mtime), or it
 * is recent enough that a recording in it may still be growing (a call lasts at most
 * MAX_CALL_DURATION_S, an hour by default). Older folders are taken from the last walk, so a refresh
 * of months of recordings costs one stat per day folder.
 */
const SETTLED_AFTER_MS = 6 * 3600_000;

interface CachedFolder {
  readonly mtimeMs: number;
  readonly usage: FolderUsage;
}

/**
 * Files and bytes under RECORDINGS_DIR (`<dir>/<YYYY-MM-DD>/<call>.wav`), measured by `refresh()`
 * (the retention job calls it on its schedule), never on a /metrics scrape.
 */
export class RecordingsUsage {
  private readonly folders = new Map<string, CachedFolder>();
  private last: RecordingsUsageSnapshot | undefined;

  constructor(
    private readonly dir: string,
    private readonly clock: Clock,
  ) {}

  /** The last measurement; undefined before the first refresh. */
  get current(): RecordingsUsageSnapshot | undefined {
    return this.last;
  }

  /** Counted files removed since a folder was last walked; the next refresh walks it again anyway. */
  forget(folder: string): void {
    this.folders.delete(folder);
  }

  async refresh(): Promise<RecordingsUsageSnapshot> {
    const now = this.clock.now();
    let files = 0;
    let bytes = 0;
    const seen = new Set<string>();
    let entries: Dirent[];
    try {
      entries = await readdir(this.dir, { withFileTypes: true });
    } catch (err) {
      if (!isMissing(err)) throw err;
      entries = [];
    }
    for (const entry of entries) {
      const path = join(this.dir, entry.name);
      if (entry.isFile()) {
        const size = await stat(path).then(
          (s) => s.size,
          () => undefined,
        );
        if (size !== undefined) {
          files++;
          bytes += size;
        }
        continue;
      }
      if (!entry.isDirectory()) continue;
      seen.add(path);
      const usage = await this.folder(path, now);
      files += usage.files;
      bytes += usage.bytes;
    }
    for (const path of this.folders.keys()) if (!seen.has(path)) this.folders.delete(path);
    const freeBytes = await statfs(this.dir).then(
      (s) => s.bavail * s.bsize,
      () => undefined,
    );
    this.last = { files, bytes, freeBytes, at: now };
    return this.last;
  }

  private async folder(path: string, now: number): Promise<FolderUsage> {
    const mtimeMs = await stat(path).then(
      (s) => s.mtimeMs,
      () => undefined,
    );
    if (mtimeMs === undefined) return { files: 0, bytes: 0 };
    const cached = this.folders.get(path);
    if (cached !== undefined && cached.mtimeMs === mtimeMs && now - mtimeMs > SETTLED_AFTER_MS) return cached.usage;
    const usage = await folderUsage(path);
    this.folders.set(path, { mtimeMs, usage });
    return usage;
  }
}
