import { chmod, cp, mkdir, rename, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { QueryTypes } from 'sequelize';
import type { Logger } from '../../logging/logger.js';
import { AppError } from '../../shared/app-error.js';
import { folderUsage, isMissing } from '../../shared/folder-usage.js';
import { MIGRATIONS_TABLE, openDatabase, parseDatabaseUrl, type Database } from '../database.js';
import { MYSQL_DUMP_FILE, RECORDINGS_FOLDER, SPOOL_FOLDER, SQLITE_FILE, writeManifest, type BackupManifest } from './backup-manifest.js';
import { dumpMysql } from './mysql-tools.js';

export interface BackupOptions {
  /** DATABASE_URL of the server. */
  readonly databaseUrl: string;
  /** RECORDINGS_DIR and RECORD_SPOOL_DIR of the server. */
  readonly recordingsDir: string;
  readonly spoolDir: string;
  /** The folder the backup folder is made in. */
  readonly to: string;
  /** False: the recordings are left to rsync (they are large and never change once written). */
  readonly includeRecordings: boolean;
  readonly now: Date;
  readonly logger: Logger;
}

export interface BackupResult {
  readonly folder: string;
  readonly manifest: BackupManifest;
}

/**
 * Takes a backup while the server runs: the database first (a consistent snapshot: SQLite's
 * `VACUUM INTO` reads one transaction; MySQL/MariaDB `--single-transaction`), then the recordings
 * and the record spool. A call row in the copy therefore finds its recording file (a recording still
 * being written is copied as far as it got). Everything goes to `<to>/hotline-<UTC time>.partial`,
 * renamed to `<to>/hotline-<UTC time>` once complete, so a half-made backup is never taken for one.
 */
export async function takeBackup(options: BackupOptions): Promise<BackupResult> {
  const target = parseDatabaseUrl(options.databaseUrl);
  const storage = target.options.storage;
  if (target.dialect === 'sqlite') {
    if (storage === undefined || storage === ':memory:') throw new AppError('BACKUP_FAILED', 'DATABASE_URL is an in-memory SQLite database: there is nothing to back up');
    // openDatabase would create an empty file: a wrong path must be named, not backed up.
    await stat(storage).catch((err: unknown) => {
      throw new AppError('BACKUP_FAILED', `no SQLite database at ${storage} (DATABASE_URL): ${isMissing(err) ? 'the file does not exist' : String(err)}`, { cause: err });
    });
  }
  const name = `hotline-${options.now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}`;
  const folder = resolve(options.to, name);
  const partial = `${folder}.partial`;
  await mkdir(partial, { recursive: true, mode: 0o700 });
  try {
    const db = await openDatabase(options.databaseUrl, options.logger);
    let migrations: string[];
    let file: typeof SQLITE_FILE | typeof MYSQL_DUMP_FILE;
    try {
      migrations = await appliedMigrations(db);
      if (db.dialect === 'sqlite') {
        file = SQLITE_FILE;
        // One read transaction copied page by page into a new file: consistent while the server writes
        // (WAL mode: the server's commits go on meanwhile), and compacted.
        await db.sequelize.query('VACUUM INTO ?', { replacements: [join(partial, file)] });
        await chmod(join(partial, file), 0o600);
      } else {
        file = MYSQL_DUMP_FILE;
        await dumpMysql(options.databaseUrl, join(partial, file));
      }
    } finally {
      await db.close();
    }
    options.logger.info('database copied', { database: db.description, file });

    if (options.includeRecordings) await copyFolder(options.recordingsDir, join(partial, RECORDINGS_FOLDER));
    await copyFolder(options.spoolDir, join(partial, SPOOL_FOLDER));
    const recordings = await folderUsage(options.includeRecordings ? join(partial, RECORDINGS_FOLDER) : options.recordingsDir);
    const spool = await folderUsage(join(partial, SPOOL_FOLDER));
    const manifest: BackupManifest = {
      format: 1,
      createdAt: options.now.toISOString(),
      database: { dialect: db.dialect, source: db.description, file, migrations },
      recordings: { dir: options.recordingsDir, absoluteDir: resolve(options.recordingsDir), included: options.includeRecordings, ...recordings },
      spool: { dir: options.spoolDir, ...spool },
    };
    await writeManifest(partial, manifest);
    await rename(partial, folder);
    return { folder, manifest };
  } catch (err) {
    await rm(partial, { recursive: true, force: true });
    throw err instanceof AppError ? err : new AppError('BACKUP_FAILED', `backup failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}

/** Names of the migrations applied to `db`, in order. */
export async function appliedMigrations(db: Database): Promise<string[]> {
  const rows = await db.sequelize.query<{ name: string }>(`SELECT name FROM ${MIGRATIONS_TABLE} ORDER BY name`, { type: QueryTypes.SELECT });
  return rows.map((r) => r.name);
}

/** Copies a folder tree (times kept; files already at `to` are left as they are); a missing source gives an empty folder. */
export async function copyFolder(from: string, to: string): Promise<void> {
  await mkdir(to, { recursive: true, mode: 0o700 });
  try {
    await cp(from, to, { recursive: true, preserveTimestamps: true, force: false, errorOnExist: false });
  } catch (err) {
    if (!isMissing(err)) throw err;
  }
}
