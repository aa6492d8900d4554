import type { Config } from '../config/config.js';
import { openDatabase, type Database } from '../db/database.js';
import { openDurableRecords, type DurableRecords } from '../db/durable-records.js';
import { seedIfEmpty } from '../db/seed-loader.js';
import type { Logger } from '../logging/logger.js';
import type { Clock } from '../shared/clock.js';
import type { Closers } from './closers.js';

export interface Storage {
  readonly db: Database;
  /** Call and queue records, through the durable spool. */
  readonly durableRecords: DurableRecords;
}

/**
 * The database (migrated, seeded when empty) and the record spool in front of it: a crash or a
 * database outage loses no call or queue record. Closed last of all: the spool first, given
 * 5 s to hand its backlog to the database (what is left is replayed at the next start), then the database.
 */
export async function openStorage(config: Config, clock: Clock, logger: Logger, closers: Closers): Promise<Storage> {
  const db = await openDatabase(config.DATABASE_URL, logger);
  closers.add('database', () => db.close());
  await db.migrate();
  const seeded = await seedIfEmpty(db.sequelize, config.SEED_DIR);
  if (seeded.seeded) logger.info('seed data loaded', { units: seeded.units, categories: seeded.categories, from: config.SEED_DIR });

  const durableRecords = await openDurableRecords(db, {
    dir: config.RECORD_SPOOL_DIR,
    maxBytes: config.RECORD_SPOOL_MAX_MB * 1_048_576,
    nodeId: config.NODE_ID,
    clock,
    logger,
    timeZone: config.TZ,
  });
  closers.add('record spool', () => durableRecords.spool.close(5_000));
  return { db, durableRecords };
}
