/**
 * Regenerates sql/schema.mysql.sql: runs every migration on a fresh, temporary MariaDB/MySQL database,
 * dumps the tables with SHOW CREATE TABLE and drops the database again. Then writes the report
 * queries (src/db/report-queries.ts) to sql/reports/ for the DBA.
 *
 *   npx tsx scripts/generate-sql.ts [--server mysql://root@127.0.0.1:3306] [--out sql/schema.mysql.sql]
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { openDatabase } from '../src/db/database.js';
import { createMysqlDatabase, dropMysqlDatabase } from '../src/db/mysql-admin.js';
import { dumpMysqlSchema } from '../src/db/mysql-schema-dump.js';
import { reportSqlFiles } from '../src/db/report-queries.js';
import { silentLogger } from '../src/logging/logger.js';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      server: { type: 'string', default: 'mysql://root@127.0.0.1:3306' },
      out: { type: 'string', default: 'sql/schema.mysql.sql' },
    },
  });
  const server = values.server;
  const name = `hotline_schema_${process.pid}_${randomBytes(4).toString('hex')}`;
  const url = await createMysqlDatabase(server, name);
  try {
    const db = await openDatabase(url, silentLogger());
    try {
      await db.migrate();
      writeFileSync(values.out, await dumpMysqlSchema(db));
    } finally {
      await db.close();
    }
  } finally {
    await dropMysqlDatabase(server, name);
  }
  console.log(`wrote ${values.out}`);
  const reportsDir = path.join(path.dirname(values.out), 'reports');
  for (const [name, text] of Object.entries(reportSqlFiles())) writeFileSync(path.join(reportsDir, name), text);
  console.log(`wrote ${reportsDir}/*.sql`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exitCode = 1;
});
