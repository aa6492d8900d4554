import { QueryTypes, UniqueConstraintError, type Sequelize } from 'sequelize';
import type { ThrottleRecord, ThrottleStore } from '../shared/auth-throttle.js';
import { AppError } from '../shared/app-error.js';

interface Row {
  throttle_key: string;
  failures: number | string;
  first_at: number | string;
  blocked_until: number | string;
  updated_at: number | string;
}

/**
 * ThrottleStore on the `auth_throttles` table (migration 0013). Each change is one UPDATE whose
 * WHERE/CASE does the read-modify-write inside the database, so two processes incrementing the
 * same key never lose a count and only one of them wins a `claim`. Errors never name the key
 * (it holds a username and an address).
 */
export class SequelizeAuthThrottleStore implements ThrottleStore {
  constructor(private readonly sequelize: Sequelize) {}

  async read(keys: readonly string[]): Promise<ReadonlyMap<string, ThrottleRecord>> {
    const out = new Map<string, ThrottleRecord>();
    if (keys.length === 0) return out;
    const rows = await this.run('reading throttles', () =>
      this.sequelize.query<Row>('SELECT throttle_key, failures, first_at, blocked_until, updated_at FROM auth_throttles WHERE throttle_key IN (:keys)', {
        replacements: { keys: [...keys] },
        type: QueryTypes.SELECT,
      }),
    );
    for (const r of rows) {
      out.set(r.throttle_key, { failures: Number(r.failures), firstAt: Number(r.first_at), blockedUntil: Number(r.blocked_until), updatedAt: Number(r.updated_at) });
    }
    return out;
  }

  async addFailure(key: string, now: number, windowMs: number): Promise<number> {
    const cut = now - windowMs;
    const bump = () =>
      this.update(
        // MySQL assigns left to right: first_at is read by the failures CASE before it is reset.
        `UPDATE auth_throttles SET failures = CASE WHEN first_at < :cut THEN 1 ELSE failures + 1 END,
           first_at = CASE WHEN first_at < :cut THEN :now ELSE first_at END, updated_at = :now WHERE throttle_key = :key`,
        { key, cut, now },
      );
    await this.run('counting a failure', async () => {
      if ((await bump()) > 0) return;
      try {
        await this.sequelize.query('INSERT INTO auth_throttles (throttle_key, failures, first_at, blocked_until, updated_at) VALUES (:key, 1, :now, 0, :now)', {
          replacements: { key, now },
          type: QueryTypes.INSERT,
        });
      } catch (err) {
        // Another process inserted it first: count on its row.
        if (!(err instanceof UniqueConstraintError)) throw err;
        await bump();
      }
    });
    const rec = (await this.read([key])).get(key);
    return rec?.failures ?? 1;
  }

  async claim(key: string, now: number, until: number): Promise<boolean> {
    const changed = await this.run('claiming a throttle slot', () =>
      this.update('UPDATE auth_throttles SET blocked_until = :until WHERE throttle_key = :key AND blocked_until <= :now', { key, now, until }),
    );
    return changed > 0;
  }

  async touch(key: string, now: number): Promise<void> {
    await this.run('marking a trusted address', async () => {
      const changed = await this.update('UPDATE auth_throttles SET failures = 0, first_at = :now, updated_at = :now WHERE throttle_key = :key', { key, now });
      if (changed > 0) return;
      try {
        await this.sequelize.query('INSERT INTO auth_throttles (throttle_key, failures, first_at, blocked_until, updated_at) VALUES (:key, 0, :now, 0, :now)', {
          replacements: { key, now },
          type: QueryTypes.INSERT,
        });
      } catch (err) {
        if (!(err instanceof UniqueConstraintError)) throw err;
      }
    });
  }

  async remove(keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    await this.run('clearing throttles', () =>
      this.sequelize.query('DELETE FROM auth_throttles WHERE throttle_key IN (:keys)', { replacements: { keys: [...keys] }, type: QueryTypes.DELETE }),
    );
  }

  async prune(before: number, now: number): Promise<void> {
    await this.run('pruning throttles', () =>
      this.sequelize.query('DELETE FROM auth_throttles WHERE updated_at < :before AND blocked_until <= :now', {
        replacements: { before, now },
        type: QueryTypes.DELETE,
      }),
    );
  }

  /** Rows changed by an UPDATE, on both dialects. */
  private async update(sql: string, replacements: Record<string, string | number>): Promise<number> {
    const result: unknown = await this.sequelize.query(sql, { replacements, type: QueryTypes.UPDATE });
    // sequelize returns [results, affectedRows] for UPDATE (sqlite: changes; mysql: affectedRows).
    const affected = Array.isArray(result) ? (result as unknown[])[1] : undefined;
    return typeof affected === 'number' ? affected : 0;
  }

  private async run<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      // The driver's message may quote the SQL with the key inlined: keep it in the cause only.
      throw new AppError('DATABASE_ERROR', `${what} failed`, { cause: err });
    }
  }
}
