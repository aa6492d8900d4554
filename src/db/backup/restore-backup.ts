import { chmod, copyFile, mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, normalize, sep } from 'node:path';
import { QueryTypes } from 'sequelize';
import type { Logger } from '../../logging/logger.js';
import { AppError } from '../../shared/app-error.js';
import { isMissing } from '../../shared/folder-usage.js';
import { openDatabase, parseDatabaseUrl, type Database } from '../database.js';
import { migrationList } from '../migrations/migration-list.js';
import { ensureMysqlDatabase } from '../mysql-admin.js';
import { readManifest, RECORDINGS_FOLDER, SPOOL_FOLDER, type BackupManifest } from './backup-manifest.js';
import { loadMysql } from './mysql-tools.js';
import { appliedMigrations, copyFolder } from './take-backup.js';

export interface RestoreOptions {
  /** A folder made by takeBackup. */
  readonly from: string;
  /** Where to restore: DATABASE_URL, RECORDINGS_DIR and RECORD_SPOOL_DIR of the server that will run on it. */
  readonly databaseUrl: string;
  readonly recordingsDir: string;
  readonly spoolDir: string;
  /** SQLite only: replace an existing database file (the server must be stopped). */
  readonly force: boolean;
  readonly logger: Logger;
}

export interface RestoreResult {
  readonly manifest: BackupManifest;
  readonly calls: number;
  readonly tickets: number;
  /** Call rows whose recording path was moved to the new RECORDINGS_DIR. */
  readonly recordingPathsMoved: number;
}

/**
 * Restores a backup into an empty database of the same kind (a SQLite file that does not exist yet,
 * or a MySQL/MariaDB database without tables, created when missing), copies the recordings and the
 * record spool back, and points the call rows at the new RECORDINGS_DIR when it moved. The server
 * must not run on the target meanwhile. A backup from an older release is fine (the server migrates
 * it at start); one naming a migration this release does not know is refused.
 */
export async function restoreBackup(options: RestoreOptions): Promise<RestoreResult> {
  const manifest = await readManifest(options.from);
  const known = new Set(migrationList.map((m) => m.name));
  const unknown = manifest.database.migrations.filter((m) => !known.has(m));
  if (unknown.length > 0) {
    throw new AppError('RESTORE_REFUSED', `the backup was taken by a newer release (migrations unknown here: ${unknown.join(', ')}): restore it with that release`);
  }
  const target = parseDatabaseUrl(options.databaseUrl);
  if (target.dialect !== manifest.database.dialect) {
    throw new AppError('RESTORE_REFUSED', `the backup holds a ${manifest.database.dialect} database and DATABASE_URL is ${target.dialect}: restore into the same kind`);
  }
  const dbFile = join(options.from, manifest.database.file);
  if (target.dialect === 'sqlite') await restoreSqliteFile(dbFile, target.options.storage ?? '', options.force);
  else await restoreMysqlDump(dbFile, options.databaseUrl, options.logger);

  await copyFolder(join(options.from, RECORDINGS_FOLDER), options.recordingsDir);
  await copyFolder(join(options.from, SPOOL_FOLDER), options.spoolDir);

  const db = await openDatabase(options.databaseUrl, options.logger);
  try {
    const migrations = await appliedMigrations(db);
    if (migrations.length !== manifest.database.migrations.length) {
      throw new AppError('RESTORE_FAILED', `the restored database has ${migrations.length} migrations applied, the backup ${manifest.database.migrations.length}`);
    }
    const recordingPathsMoved = await moveRecordingPaths(db, manifest.recordings.dir, options.recordingsDir);
    return { manifest, calls: await count(db, 'calls'), tickets: await count(db, 'tickets'), recordingPathsMoved };
  } finally {
    await db.close();
  }
}

async function restoreSqliteFile(from: string, to: string, force: boolean): Promise<void> {
  if (to === '' || to === ':memory:') throw new AppError('RESTORE_REFUSED', 'DATABASE_URL is an in-memory SQLite database: name a file');
  const exists = await stat(to).then(
    (s) => s.size > 0,
    (err: unknown) => {
      if (isMissing(err)) return false;
      throw err;
    },
  );
  if (exists && !force) throw new AppError('RESTORE_REFUSED', `${to} exists: stop the server and move it away, or pass --force to replace it`);
  await mkdir(dirname(to), { recursive: true, mode: 0o700 });
  const temporary = `${to}.restoring`;
  await copyFile(from, temporary);
  await chmod(temporary, 0o600);
  // The old file's write-ahead log belongs to the old content: left in place, SQLite would apply it to the new one.
  await rm(`${to}-wal`, { force: true });
  await rm(`${to}-shm`, { force: true });
  await rename(temporary, to);
}

async function restoreMysqlDump(from: string, url: string, logger: Logger): Promise<void> {
  await ensureMysqlDatabase(url);
  const db = await openDatabase(url, logger);
  try {
    const tables = await db.sequelize.query<{ n: number | string }>('SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = DATABASE()', { type: QueryTypes.SELECT });
    const n = Number(tables[0]?.n ?? 0);
    if (n > 0) throw new AppError('RESTORE_REFUSED', `${db.description} has ${n} tables: restore into an empty database (create a new one, or drop and recreate this one)`);
  } finally {
    await db.close();
  }
  await loadMysql(url, from);
}

/**
 * Call rows hold recording paths under the RECORDINGS_DIR of the server that recorded them: when the
 * restored copy lives elsewhere, the prefix is replaced so the recordings are served from the new place.
 */
async function moveRecordingPaths(db: Database, oldDir: string, newDir: string): Promise<number> {
  const oldPrefix = normalize(oldDir).replace(/\/?$/, sep);
  const newPrefix = normalize(newDir).replace(/\/?$/, sep);
  if (oldPrefix === newPrefix) return 0;
  // SUBSTR counts characters (code points) on both dialects, JavaScript's length UTF-16 units.
  const length = oldPrefix.replace(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g, '_').length;
  const joined = db.dialect === 'mysql' ? 'CONCAT(?, SUBSTR(recording_path, ?))' : '(? || SUBSTR(recording_path, ?))';
  const [, changed] = await db.sequelize.query(`UPDATE calls SET recording_path = ${joined} WHERE SUBSTR(recording_path, 1, ?) = ?`, {
    replacements: [newPrefix, length + 1, length, oldPrefix],
    type: QueryTypes.UPDATE,
  });
  return changed;
}

async function count(db: Database, table: 'calls' | 'tickets'): Promise<number> {
  const rows = await db.sequelize.query<{ n: number | string }>(`SELECT COUNT(*) AS n FROM ${table}`, { type: QueryTypes.SELECT });
  return Number(rows[0]?.n ?? 0);
}
