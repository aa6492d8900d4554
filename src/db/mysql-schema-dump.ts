import { QueryTypes } from 'sequelize';
import { InvalidStateError } from '../shared/app-error.js';
import { MIGRATIONS_TABLE, type Database } from './database.js';

/** How to regenerate sql/schema.mysql.sql; written in its header and printed when it drifts. */
export const SCHEMA_REGENERATE_COMMAND = 'npx tsx scripts/generate-sql.ts';

/**
 * The MySQL DDL of every table of a migrated database (but umzug's own), as `SHOW CREATE TABLE` prints it,
 * tables in name order, AUTO_INCREMENT counters removed, so the text only changes when the schema does.
 */
export async function dumpMysqlSchema(db: Database): Promise<string> {
  if (db.dialect !== 'mysql') throw new InvalidStateError(`the schema dump needs MySQL/MariaDB, not ${db.dialect}`);
  const tables = (await db.sequelize.query<Record<string, string>>('SHOW TABLES', { type: QueryTypes.SELECT }))
    .map((row) => Object.values(row)[0])
    .filter((t): t is string => typeof t === 'string' && t !== MIGRATIONS_TABLE)
    .sort();
  const statements: string[] = [];
  for (const table of tables) {
    const rows = await db.sequelize.query<Record<string, string>>(`SHOW CREATE TABLE \`${table}\``, { type: QueryTypes.SELECT });
    const ddl = rows[0]?.['Create Table'];
    if (ddl === undefined) throw new InvalidStateError(`SHOW CREATE TABLE ${table} returned nothing`);
    statements.push(`${ddl.replace(/ AUTO_INCREMENT=\d+/g, '')};`);
  }
  const header = [
    '-- MySQL/MariaDB schema of the hotline server: GENERATED from src/db/migrations, do not edit.',
    `-- Regenerate after changing a migration: ${SCHEMA_REGENERATE_COMMAND}`,
    '-- (needs MariaDB/MySQL at 127.0.0.1:3306; test/db/schema-drift.test.ts fails when this file is stale).',
    '-- The server creates these tables itself at start-up (and with `npm run migrate`); this file is for DBAs.',
  ];
  return `${header.join('\n')}\n\n${statements.join('\n\n')}\n`;
}
