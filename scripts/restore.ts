/**
 * `npm run restore -- <backup folder> [--force]`: restores a folder made by `npm run backup` into the
 * database, RECORDINGS_DIR and RECORD_SPOOL_DIR named by the environment / .env. The server must be
 * stopped. `--force` replaces an existing SQLite file. See docs/deploy/README.md, "Backups".
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config/config.js';
import { restoreBackup } from '../src/db/backup/restore-backup.js';
import { createLogger } from '../src/logging/logger.js';
import { AppError } from '../src/shared/app-error.js';

async function main(): Promise<void> {
  // The copy holds residents' details and voices: owner-only, like everything the server writes.
  process.umask(0o077);
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { force: { type: 'boolean', default: false } } });
  const [from] = positionals;
  if (from === undefined || positionals.length > 1) throw new AppError('USAGE', 'usage: npm run restore -- <backup folder> [--force]');
  const config = loadConfig();
  const result = await restoreBackup({
    from,
    databaseUrl: config.DATABASE_URL,
    recordingsDir: config.RECORDINGS_DIR,
    spoolDir: config.RECORD_SPOOL_DIR,
    force: values.force,
    logger: createLogger('warn'),
  });
  console.log(`restored ${from} (taken ${result.manifest.createdAt} from ${result.manifest.database.source})`);
  console.log(`  database:   ${config.DATABASE_URL.replace(/:[^:@/]*@/, ':***@')}: ${result.calls} calls, ${result.tickets} work orders`);
  console.log(`  recordings: ${config.RECORDINGS_DIR}${result.recordingPathsMoved > 0 ? ` (${result.recordingPathsMoved} call rows pointed here)` : ''}`);
  console.log(`  spool:      ${config.RECORD_SPOOL_DIR}`);
  console.log('start the server: it applies the migrations of this release, if any are newer than the backup');
}

main().catch((err: unknown) => {
  const code = err instanceof AppError ? `${err.code}: ` : '';
  console.error(`restore failed: ${code}${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
