import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';

/** Regular files under a folder and their total size. */
export interface FolderUsage {
  readonly files: number;
  readonly bytes: number;
}

/**
 * Counts the regular files under `folder` (recursively; symbolic links are not followed) and adds up
 * their sizes. A missing folder counts as empty; a file removed while the walk runs is skipped.
 */
export async function folderUsage(folder: string): Promise<FolderUsage> {
  let files = 0;
  let bytes = 0;
  const walk = async (dir: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (err) {
      if (isMissing(err)) return;
      throw err;
    }
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        await walk(path);
      } else if (entry.isFile()) {
        try {
          bytes += (await lstat(path)).size;
          files++;
        } catch (err) {
          if (!isMissing(err)) throw err;
        }
      }
    }
  };
  await walk(folder);
  return { files, bytes };
}

/** True for ENOENT: the file or folder is not (or no longer) there. */
export function isMissing(err: unknown): boolean {
  return err instanceof Error && (err as NodeJS.ErrnoException).code === 'ENOENT';
}
