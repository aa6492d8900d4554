import { createHash } from 'node:crypto';
import { createConnection, type Connection, type RowDataPacket } from 'mysql2/promise';
import type { Sequelize } from 'sequelize';
import { AppError } from '../shared/app-error.js';
import type { Database } from './database.js';

/**
 * Job locks (the JobLock port of jobs/job-lock.ts, implemented structurally so db/ does not import
 * jobs/): only one process of a cluster runs a scheduled job.
 */
export interface DbJobLockHandle {
  release(): Promise<void>;
}

export interface DbJobLock {
  tryAcquire(name: string): Promise<DbJobLockHandle | undefined>;
}

/** The lock for this database: MySQL/MariaDB named locks, or an in-process mutex on SQLite. */
export function createJobLock(db: Pick<Database, 'dialect' | 'sequelize'>): DbJobLock {
  return db.dialect === 'mysql' ? new MysqlJobLock(db.sequelize) : new InProcessJobLock();
}

/**
 * SQLite is a single-process database (one server per file), so a mutex in this process is enough.
 */
export class InProcessJobLock implements DbJobLock {
  private readonly held = new Set<string>();

  tryAcquire(name: string): Promise<DbJobLockHandle | undefined> {
    if (this.held.has(name)) return Promise.resolve(undefined);
    this.held.add(name);
    let released = false;
    return Promise.resolve({
      release: () => {
        if (!released) this.held.delete(name);
        released = true;
        return Promise.resolve();
      },
    });
  }
}

/**
 * MySQL/MariaDB `GET_LOCK(name, 0)`: a named lock owned by one connection. Each acquisition opens a
 * dedicated connection (with the pool's credentials, outside the pool, so no query of the job can
 * run on it and a pooled connection is never kept) and holds it until `release()` runs
 * `RELEASE_LOCK` and closes it. If the process dies, the server drops the connection and the lock
 * with it, so a crashed process never blocks the others.
 */
export class MysqlJobLock implements DbJobLock {
  constructor(private readonly sequelize: Sequelize) {}

  async tryAcquire(name: string): Promise<DbJobLockHandle | undefined> {
    // Named locks are server-wide, not per database: the name carries the database, so two hotlines
    // (or two test runs) on one MariaDB server do not hold each other's jobs. MySQL limits names to 64
    // characters: a long pair is hashed.
    const scoped = `${this.sequelize.config.database}:${name}`;
    const lockName = scoped.length <= 64 ? scoped : `${scoped.slice(0, 23)}:${createHash('sha256').update(scoped).digest('hex').slice(0, 40)}`;
    const connection = await this.connect();
    let acquired = false;
    try {
      const [rows] = await connection.query<RowDataPacket[]>('SELECT GET_LOCK(?, 0) AS acquired', [lockName]);
      acquired = Number(rows[0]?.acquired) === 1;
    } catch (err) {
      await connection.end().catch(() => undefined);
      throw new AppError('JOB_LOCK_FAILED', `cannot take job lock "${lockName}": ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    if (!acquired) {
      await connection.end().catch(() => undefined);
      return undefined;
    }
    let released = false;
    return {
      release: async () => {
        if (released) return;
        released = true;
        try {
          await connection.query('SELECT RELEASE_LOCK(?)', [lockName]);
        } catch {
          // Closing the connection below releases the lock anyway.
        } finally {
          await connection.end().catch(() => {
            connection.destroy();
          });
        }
      },
    };
  }

  private async connect(): Promise<Connection> {
    const c = this.sequelize.config;
    try {
      const connection = await createConnection({
        host: c.host ?? '127.0.0.1',
        port: c.port === undefined ? 3306 : Number(c.port),
        user: c.username,
        password: c.password ?? '',
        database: c.database,
        connectTimeout: 10_000,
      });
      // A dropped connection must not crash the process; the lock is simply gone with it.
      connection.on('error', () => undefined);
      return connection;
    } catch (err) {
      throw new AppError('DATABASE_UNAVAILABLE', `job lock: cannot connect to ${c.host ?? '127.0.0.1'}:${c.port ?? 3306}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
  }
}
