/**
 * `npm run backup [-- --to <folder>] [-- --no-recordings]`: a backup of the running (or stopped)
 * server named by the environment / .env (DATABASE_URL, RECORDINGS_DIR, RECORD_SPOOL_DIR) into
 * `<folder>/hotline-<UTC time>/` (default folder: `backups`). See docs/deploy/README.md, "Backups".
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config/config.js';
import { takeBackup } from '../src/db/backup/take-backup.js';
import { createLogger } from '../src/logging/logger.js';
import { AppError } from '../src/shared/app-error.js';

async function main(): Promise<void> {
  // The copy holds residents' details and voices: owner-only, like everything the server writes.
  process.umask(0o077);
  const { values } = parseArgs({ options: { to: { type: 'string', default: 'backups' }, 'no-recordings': { type: 'boolean', default: false } } });
  const config = loadConfig();
  const { folder, manifest } = await takeBackup({
    databaseUrl: config.DATABASE_URL,
    recordingsDir: config.RECORDINGS_DIR,
    spoolDir: config.RECORD_SPOOL_DIR,
    to: values.to,
    includeRecordings: !values['no-recordings'],
    now: new Date(),
    logger: createLogger('warn'),
  });
  const mib = (bytes: number): string => (bytes / 1_048_576).toFixed(1);
  const r = manifest.recordings;
  console.log(`backup written to ${folder}`);
  console.log(`  database:   ${manifest.database.source} → ${manifest.database.file} (${manifest.database.migrations.length} migrations applied)`);
  console.log(r.included ? `  recordings: ${r.files} files, ${mib(r.bytes)} MiB from ${r.dir}` : `  recordings: not included (${r.files} files, ${mib(r.bytes)} MiB in ${r.dir}: copy them with rsync)`);
  console.log(`  spool:      ${manifest.spool.files} files, ${mib(manifest.spool.bytes)} MiB from ${manifest.spool.dir}`);
}

main().catch((err: unknown) => {
  const code = err instanceof AppError ? `${err.code}: ` : '';
  console.error(`backup failed: ${code}${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
