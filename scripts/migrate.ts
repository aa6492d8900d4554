/**
 * `npm run migrate`: applies every pending migration to DATABASE_URL (environment or .env), then exits.
 * The server does the same at start-up; this is for deploying the schema ahead of the processes.
 */
import { loadConfig } from '../src/config/config.js';
import { openDatabase } from '../src/db/database.js';
import { createLogger } from '../src/logging/logger.js';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL);
  const db = await openDatabase(config.DATABASE_URL, logger);
  try {
    const applied = await db.migrate();
    logger.info(applied.length === 0 ? 'schema is up to date' : `applied ${applied.length} migration(s)`, { applied, database: db.description });
  } finally {
    await db.close();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exitCode = 1;
});
