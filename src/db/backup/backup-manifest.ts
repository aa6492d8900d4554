import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { AppError } from '../../shared/app-error.js';

/** The file every backup folder holds, describing what the folder contains. */
export const MANIFEST_FILE = 'manifest.json';
/** The database copy: an SQLite file, or a gzip SQL dump of MySQL/MariaDB. */
export const SQLITE_FILE = 'database.sqlite';
export const MYSQL_DUMP_FILE = 'database.sql.gz';
export const RECORDINGS_FOLDER = 'recordings';
export const SPOOL_FOLDER = 'spool';

const usage = z.object({ files: z.number().int().min(0), bytes: z.number().int().min(0) });

export const manifestSchema = z.object({
  format: z.literal(1),
  createdAt: z.iso.datetime(),
  database: z.object({
    dialect: z.enum(['sqlite', 'mysql']),
    /** Where it was taken from, without a password. */
    source: z.string(),
    file: z.enum([SQLITE_FILE, MYSQL_DUMP_FILE]),
    /** The migrations applied to the copy: a restore refuses a backup that names one this release does not know. */
    migrations: z.array(z.string()),
  }),
  recordings: usage.extend({
    /** RECORDINGS_DIR as configured (call rows hold paths under it) and as an absolute path. */
    dir: z.string(),
    absoluteDir: z.string(),
    included: z.boolean(),
  }),
  spool: usage.extend({ dir: z.string() }),
});

export type BackupManifest = z.infer<typeof manifestSchema>;

export async function writeManifest(folder: string, manifest: BackupManifest): Promise<void> {
  await writeFile(join(folder, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600 });
}

/** Reads and checks the manifest of a backup folder; AppError BACKUP_INVALID naming the field when it does not parse. */
export async function readManifest(folder: string): Promise<BackupManifest> {
  let text: string;
  try {
    text = await readFile(join(folder, MANIFEST_FILE), 'utf8');
  } catch (err) {
    throw new AppError('BACKUP_INVALID', `${folder} is not a backup folder: cannot read ${MANIFEST_FILE}`, { cause: err });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new AppError('BACKUP_INVALID', `${join(folder, MANIFEST_FILE)} is not JSON`, { cause: err });
  }
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AppError('BACKUP_INVALID', `${join(folder, MANIFEST_FILE)}: ${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}
