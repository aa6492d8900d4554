import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dumpMysqlSchema, SCHEMA_REGENERATE_COMMAND } from '../../src/db/mysql-schema-dump.js';
import { openTestDatabase, testDbKind } from '../support/test-database.js';

const schemaFile = fileURLToPath(new URL('../../sql/schema.mysql.sql', import.meta.url));

// Registered in the MariaDB pass of scripts/test.sh only: the DDL is MySQL's.
if (testDbKind() === 'mariadb') describe('sql/schema.mysql.sql', () => {
  it('when the migrations are run on MariaDB, it matches the committed DDL', async () => {
    const testDb = await openTestDatabase();
    try {
      const fresh = await dumpMysqlSchema(testDb.db);
      const committed = readFileSync(schemaFile, 'utf8');
      const firstDiff = firstDifferentLine(committed, fresh);
      expect(
        fresh === committed,
        `sql/schema.mysql.sql is stale (first difference at line ${firstDiff.line}:\n  committed: ${firstDiff.committed}\n  migrations: ${firstDiff.fresh})\n` +
          `regenerate it with: ${SCHEMA_REGENERATE_COMMAND}`,
      ).to.equal(true);
    } finally {
      await testDb.drop();
    }
  });
});

function firstDifferentLine(a: string, b: string): { line: number; committed: string; fresh: string } {
  const al = a.split('\n');
  const bl = b.split('\n');
  for (let i = 0; i < Math.max(al.length, bl.length); i++) {
    if (al[i] !== bl[i]) return { line: i + 1, committed: al[i] ?? '<end of file>', fresh: bl[i] ?? '<end of file>' };
  }
  return { line: 0, committed: '', fresh: '' };
}
