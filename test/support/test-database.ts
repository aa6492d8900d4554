import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Database } from '../../src/db/database.js';
import { createMysqlDatabase, dropMysqlDatabase } from '../../src/db/mysql-admin.js';
import { silentLogger } from '../../src/logging/logger.js';

/**
 * The one place tests read TEST_DB: `sqlite` (default; a temporary file) or `mariadb`
 * (a database of its own on 127.0.0.1:3306 as root, dropped afterwards). scripts/test.sh runs
 * test/db and test/e2e once with each.
 */
export type TestDbKind = 'sqlite' | 'mariadb';

const MARIADB_SERVER = 'mysql://root@127.0.0.1:3306';

export function testDbKind(): TestDbKind {
  const kind = process.env.TEST_DB ?? 'sqlite';
  if (kind !== 'sqlite' && kind !== 'mariadb') throw new Error(`TEST_DB must be sqlite or mariadb, not "${kind}"`);
  return kind;
}

export interface TestDatabaseUrl {
  readonly url: string;
  /** Removes the database (file or MariaDB database); safe to call twice. */
  cleanup(): Promise<void>;
}

/** Creates an empty database for this run and returns its URL: for tests that start the server as a child process. */
export async function testDatabaseUrl(): Promise<TestDatabaseUrl> {
  const suffix = `${process.pid}_${randomBytes(4).toString('hex')}`;
  let cleaned = false;
  if (testDbKind() === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'hotline-test-'));
    return {
      url: `sqlite:${join(dir, `hotline_${suffix}.sqlite`)}`,
      cleanup: () => {
        if (!cleaned) rmSync(dir, { recursive: true, force: true });
        cleaned = true;
        return Promise.resolve();
      },
    };
  }
  const name = `hotline_test_${suffix}`;
  const url = await createMysqlDatabase(MARIADB_SERVER, name);
  return {
    url,
    cleanup: async () => {
      if (cleaned) return;
      cleaned = true;
      await dropMysqlDatabase(MARIADB_SERVER, name);
    },
  };
}

export interface TestDatabase {
  readonly db: Database;
  readonly url: string;
  /** Closes the connection and removes the database; safe to call twice. */
  drop(): Promise<void>;
}

/** An open, migrated (unless `migrate: false`) database of its own for this test file. */
export async function openTestDatabase(options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const target = await testDatabaseUrl();
  let db: Database;
  try {
    db = await openDatabase(target.url, silentLogger());
  } catch (err) {
    await target.cleanup();
    throw err;
  }
  if (options.migrate ?? true) {
    try {
      await db.migrate();
    } catch (err) {
      await db.close();
      await target.cleanup();
      throw err;
    }
  }
  return {
    db,
    url: target.url,
    drop: async () => {
      await db.close();
      await target.cleanup();
    },
  };
}
