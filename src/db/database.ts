import { chmodSync, closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { QueryTypes, Sequelize, type QueryInterface, type Options } from 'sequelize';
import { SequelizeStorage, Umzug } from 'umzug';
import type { Logger } from '../logging/logger.js';
import { AppError, ConfigError } from '../shared/app-error.js';
import { migrationList } from './migrations/migration-list.js';

/** Umzug's bookkeeping table; not part of the schema dumped to sql/. */
export const MIGRATIONS_TABLE = 'schema_migrations';

/** Seconds a process waits for another one migrating the same MySQL database. */
const MIGRATION_LOCK_TIMEOUT_S = 60;

export type DatabaseDialect = 'sqlite' | 'mysql';

export interface Database {
  readonly sequelize: Sequelize;
  readonly dialect: DatabaseDialect;
  /** Where it is, without a password, e.g. `mysql://127.0.0.1:3306/hotline` or `sqlite:data/hotline.sqlite`. */
  readonly description: string;
  /** Applies every pending migration; returns the names applied. */
  migrate(): Promise<string[]>;
  /** True when a trivial query answers. Never throws. */
  ping(): Promise<boolean>;
  /** Closes the pool; safe to call twice. */
  close(): Promise<void>;
}

interface Target {
  readonly options: Options;
  readonly dialect: DatabaseDialect;
  readonly description: string;
}

/** Parses `sqlite:<path>`, `sqlite::memory:`, `mysql://user:pass@host:port/db` or `mariadb://…`. */
export function parseDatabaseUrl(url: string): Target {
  const common: Options = { logging: false, benchmark: false };
  if (url.startsWith('sqlite:')) {
    let storage = url.slice('sqlite:'.length);
    if (storage.startsWith('//')) storage = storage.slice(2);
    if (storage === '') throw new ConfigError('DATABASE_URL: sqlite: needs a file path or :memory:');
    return {
      dialect: 'sqlite',
      description: `sqlite:${storage}`,
      options: { ...common, dialect: 'sqlite', storage, timezone: '+00:00' },
    };
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (err) {
    throw new ConfigError('DATABASE_URL: not a valid URL', { cause: err });
  }
  if (parsed.protocol !== 'mysql:' && parsed.protocol !== 'mariadb:') {
    throw new ConfigError(`DATABASE_URL: unsupported scheme ${parsed.protocol} (use sqlite:, mysql:// or mariadb://)`);
  }
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  if (database === '') throw new ConfigError('DATABASE_URL: names no database (mysql://user:pass@host:port/<database>)');
  const host = parsed.hostname === '' ? '127.0.0.1' : parsed.hostname;
  const port = parsed.port === '' ? 3306 : Number(parsed.port);
  return {
    dialect: 'mysql',
    description: `mysql://${host}:${port}/${database}`,
    options: {
      ...common,
      dialect: 'mysql',
      host,
      port,
      database,
      username: decodeURIComponent(parsed.username),
      password: decodeURIComponent(parsed.password),
      // Times are stored in UTC; the configured zone only matters for working-day arithmetic.
      timezone: '+00:00',
      dialectOptions: { charset: 'utf8mb4', connectTimeout: 10_000, dateStrings: false },
      pool: { max: 10, min: 0, acquire: 15_000, idle: 10_000 },
    },
  };
}

/**
 * Opens (and checks) the database named by `url`. The SQLite file's directory is created when missing.
 * Throws AppError `DATABASE_UNAVAILABLE` naming the host and database (never the password).
 */
export async function openDatabase(url: string, logger: Logger): Promise<Database> {
  const target = parseDatabaseUrl(url);
  const storage = target.options.storage;
  if (target.dialect === 'sqlite' && storage !== undefined && storage !== ':memory:') {
    mkdirSync(dirname(storage), { recursive: true, mode: 0o700 });
    // Residents' details and HA1s: owner-only whatever the umask. SQLite gives its -wal and -shm
    // files the mode of the database file, so setting it before the first open covers them too.
    closeSync(openSync(storage, 'a', 0o600));
    chmodSync(storage, 0o600);
  }
  const sequelize = new Sequelize(target.options);
  try {
    await sequelize.authenticate();
    if (target.dialect === 'sqlite') {
      // Wait for a writer instead of failing at once with SQLITE_BUSY.
      await sequelize.query('PRAGMA busy_timeout = 5000');
      if (storage !== ':memory:') {
        // Write-ahead log: readers never block the writer, and a commit is one fsync of the log
        // (synchronous=NORMAL is durable across a process crash; a power cut may lose the last commits).
        // Without it every call-record write waits for a full sync and records lag at high call rates.
        await sequelize.query('PRAGMA journal_mode = WAL');
        await sequelize.query('PRAGMA synchronous = NORMAL');
      }
    }
  } catch (err) {
    await sequelize.close().catch(() => undefined);
    throw new AppError('DATABASE_UNAVAILABLE', `cannot open database ${target.description}: ${errorMessage(err)}`, { cause: err });
  }
  logger.info('database opened', { database: target.description });
  return new OpenDatabase(sequelize, target, logger);
}

class OpenDatabase implements Database {
  readonly dialect: DatabaseDialect;
  readonly description: string;
  private closed = false;

  constructor(
    readonly sequelize: Sequelize,
    target: Target,
    private readonly logger: Logger,
  ) {
    this.dialect = target.dialect;
    this.description = target.description;
  }

  async migrate(): Promise<string[]> {
    const umzug = new Umzug<QueryInterface>({
      migrations: [...migrationList],
      context: this.sequelize.getQueryInterface(),
      storage: new SequelizeStorage({ sequelize: this.sequelize, tableName: MIGRATIONS_TABLE }),
      logger: undefined,
    });
    try {
      const run = async (): Promise<string[]> => (await umzug.up()).map((m) => m.name);
      const applied = this.dialect === 'mysql' ? await this.withMigrationLock(run) : await run();
      if (applied.length > 0) this.logger.info('database migrated', { database: this.description, applied });
      return applied;
    } catch (err) {
      throw new AppError('MIGRATION_FAILED', `migrating ${this.description} failed: ${errorMessage(err)}`, { cause: err });
    }
  }

  /**
   * Several processes of a city share one MySQL database and all migrate at start-up: a named lock
   * makes them take turns. The lock lives on the connection pinned by the transaction; the migrations
   * themselves run on other pool connections.
   */
  private async withMigrationLock<T>(fn: () => Promise<T>): Promise<T> {
    const lockName = `hotline_migrate_${this.description}`.slice(0, 64);
    return this.sequelize.transaction(async (transaction) => {
      const rows = await this.sequelize.query<{ locked: number | null }>('SELECT GET_LOCK(?, ?) AS locked', {
        replacements: [lockName, MIGRATION_LOCK_TIMEOUT_S],
        type: QueryTypes.SELECT,
        transaction,
      });
      if (rows[0]?.locked !== 1) {
        throw new AppError('MIGRATION_FAILED', `another process held the migration lock for ${MIGRATION_LOCK_TIMEOUT_S} s`);
      }
      try {
        return await fn();
      } finally {
        await this.sequelize.query('SELECT RELEASE_LOCK(?)', { replacements: [lockName], transaction });
      }
    });
  }

  async ping(): Promise<boolean> {
    if (this.closed) return false;
    try {
      await this.sequelize.query('SELECT 1', { type: QueryTypes.SELECT });
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.sequelize.close();
  }
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
