import { createConnection, type Connection } from 'mysql2/promise';
import { AppError, ConfigError } from '../shared/app-error.js';

/**
 * Creating and dropping whole MySQL/MariaDB databases: for scripts/generate-sql.ts and the tests,
 * which give every run its own database. `serverUrl` is `mysql://user:pass@host:port` (a path is ignored).
 */
export async function createMysqlDatabase(serverUrl: string, name: string): Promise<string> {
  checkName(name);
  await withServer(serverUrl, (c) => c.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Creates the database a `mysql://…/<name>` URL names, unless it exists. */
export async function ensureMysqlDatabase(databaseUrl: string): Promise<void> {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.replace(/^\//, ''));
  checkName(name);
  await withServer(databaseUrl, (c) => c.query(`CREATE DATABASE IF NOT EXISTS \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`));
}

export async function dropMysqlDatabase(serverUrl: string, name: string): Promise<void> {
  checkName(name);
  await withServer(serverUrl, (c) => c.query(`DROP DATABASE IF EXISTS \`${name}\``));
}

function checkName(name: string): void {
  if (!/^[A-Za-z0-9_]{1,64}$/.test(name)) throw new ConfigError(`database name "${name}" must be 1-64 letters, digits or _`);
}

async function withServer(serverUrl: string, fn: (c: Connection) => Promise<unknown>): Promise<void> {
  const url = new URL(serverUrl);
  const host = url.hostname === '' ? '127.0.0.1' : url.hostname;
  const port = url.port === '' ? 3306 : Number(url.port);
  let connection: Connection | undefined;
  try {
    connection = await createConnection({
      host,
      port,
      user: decodeURIComponent(url.username),
      password: decodeURIComponent(url.password),
      connectTimeout: 10_000,
    });
    await fn(connection);
  } catch (err) {
    throw new AppError('DATABASE_UNAVAILABLE', `MySQL server ${host}:${port}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  } finally {
    await connection?.end().catch(() => undefined);
  }
}
