import { Transaction, type Sequelize } from 'sequelize';

/** Attempts of a write transaction that meets a lock (SQLITE_BUSY, MySQL deadlock or lock wait). */
const MAX_ATTEMPTS = 8;
/** SQLite: how long a statement of the transaction waits for another connection's write lock. */
const SQLITE_BUSY_TIMEOUT_MS = 5000;

const RETRYABLE_CODES = new Set(['SQLITE_BUSY', 'SQLITE_LOCKED', 'ER_LOCK_DEADLOCK', 'ER_LOCK_WAIT_TIMEOUT']);
const RETRYABLE_ERRNOS = new Set([1205, 1213]);

/** Write transactions of one SQLite database, run one at a time in this process. */
const sqliteQueues = new WeakMap<Sequelize, Promise<unknown>>();

/**
 * Runs `fn` in a write transaction and retries it (from the start: nothing of a failed attempt is
 * kept) when it meets a lock. Every query of `fn` must pass `{ transaction }`.
 *
 * SQLite: Sequelize opens a connection of its own per transaction, without the busy timeout of the
 * main one, and a DEFERRED transaction that upgrades to a writer can fail at once. So transactions
 * are IMMEDIATE (the write lock is taken at BEGIN), set their busy timeout, and are queued in process.
 * MySQL/MariaDB: row locks do the work; a deadlock victim is retried.
 */
export async function ticketTransaction<T>(sequelize: Sequelize, fn: (transaction: Transaction) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await inQueue(sequelize, () => runOnce(sequelize, fn));
    } catch (err) {
      if (attempt >= MAX_ATTEMPTS || !isLockConflict(err)) throw err;
      await new Promise((resolve) => setTimeout(resolve, 5 * attempt + Math.random() * 20 * attempt));
    }
  }
}

function runOnce<T>(sequelize: Sequelize, fn: (transaction: Transaction) => Promise<T>): Promise<T> {
  if (sequelize.getDialect() !== 'sqlite') return sequelize.transaction(fn);
  return sequelize.transaction({ type: Transaction.TYPES.IMMEDIATE }, async (transaction) => {
    await sequelize.query(`PRAGMA busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`, { transaction });
    return fn(transaction);
  });
}

function inQueue<T>(sequelize: Sequelize, task: () => Promise<T>): Promise<T> {
  if (sequelize.getDialect() !== 'sqlite') return task();
  const previous = sqliteQueues.get(sequelize) ?? Promise.resolve();
  const run = previous.then(task);
  sqliteQueues.set(
    sequelize,
    run.catch(() => undefined),
  );
  return run;
}

/** True for errors that a retry of the whole transaction may not meet again. */
export function isLockConflict(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; typeof e === 'object' && e !== null && depth < 4; depth++) {
    const { code, errno } = e as { code?: unknown; errno?: unknown };
    if (typeof code === 'string' && RETRYABLE_CODES.has(code)) return true;
    if (typeof errno === 'number' && RETRYABLE_ERRNOS.has(errno)) return true;
    e = (e as { parent?: unknown; original?: unknown; cause?: unknown }).parent ?? (e as { cause?: unknown }).cause;
  }
  return false;
}
