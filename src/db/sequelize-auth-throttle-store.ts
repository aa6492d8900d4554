import { QueryTypes, UniqueConstraintError, type Sequelize } from 'sequelize';
import type { AttemptLimit, ThrottleRecord, ThrottleStore } from '../shared/auth-throttle.js';
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

  async attempt(key: string, now: number, limit: AttemptLimit): Promise<number> {
    const cut = now - limit.windowMs;
    const count = 'CASE WHEN first_at < :cut THEN 1 ELSE failures + 1 END';
    // The wait set by this attempt, from the count it reaches: a CASE ladder (no POW in SQLite).
    const steps = limit.delays.map((d, k) => (k === limit.delays.length - 1 ? `ELSE :now + ${d}` : `WHEN ${count} = ${limit.free + k} THEN :now + ${d}`));
    const bump = () =>
      this.update(
        // One statement decides and counts, so concurrent attempts each get their own count.
        // blocked_until comes first: MySQL assigns left to right and later columns would read the
        // new failures/first_at (SQLite reads the old ones everywhere).
        `UPDATE auth_throttles SET
           blocked_until = CASE WHEN ${count} < :free THEN blocked_until ${steps.join(' ')} END,
           failures = ${count}, first_at = CASE WHEN first_at < :cut THEN :now ELSE first_at END, updated_at = :now
         WHERE throttle_key = :key AND blocked_until <= :now`,
        { key, cut, now, free: limit.free },
      );
    return this.run('counting an attempt', async () => {
      // A row inserted or unblocked by a concurrent attempt between our statements: count again.
      for (let tries = 0; tries < 3; tries++) {
        if ((await bump()) > 0) return 0;
        const rec = (await this.read([key])).get(key);
        if (rec !== undefined) {
          if (rec.blockedUntil > now) return rec.blockedUntil;
          continue;
        }
        try {
          const blockedUntil = limit.free <= 1 ? now + (limit.delays[0] ?? 0) : 0;
          await this.sequelize.query('INSERT INTO auth_throttles (throttle_key, failures, first_at, blocked_until, updated_at) VALUES (:key, 1, :now, :blockedUntil, :now)', {
            replacements: { key, now, blockedUntil },
            type: QueryTypes.INSERT,
          });
          return 0;
        } catch (err) {
          if (!(err instanceof UniqueConstraintError)) throw err;
        }
      }
      // Still contended: refuse this one briefly rather than let it through uncounted.
      return now + 1;
    });
  }

  async credit(key: string, free: number): Promise<void> {
    await this.run('crediting an attempt', () =>
      this.update(
        `UPDATE auth_throttles SET blocked_until = CASE WHEN failures - 1 < :free THEN 0 ELSE blocked_until END,
           failures = CASE WHEN failures > 0 THEN failures - 1 ELSE 0 END WHERE throttle_key = :key`,
        { key, free },
      ),
    );
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

  async prune(now: number, before: number, trustPrefix: string, trustBefore: number): Promise<void> {
    await this.run('pruning throttles', () =>
      this.sequelize.query(
        `DELETE FROM auth_throttles WHERE blocked_until <= :now AND
           CASE WHEN throttle_key LIKE :trusted THEN updated_at < :trustBefore ELSE updated_at < :before END`,
        { replacements: { now, before, trusted: `${trustPrefix.replace(/[\\%_]/g, '')}%`, trustBefore }, type: QueryTypes.DELETE },
      ),
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
