import { Op, type Sequelize } from 'sequelize';
import type { Session, SessionRepository } from '../identity/session-repository.js';
import { toAppError } from '../shared/app-error.js';
import { defineSessionModel, type SessionModel, type SessionRow } from './session.model.js';

/** SessionRepository on the `sessions` table. Errors never carry the token hash. */
export class SequelizeSessionRepository implements SessionRepository {
  private readonly sessions: SessionModel;

  constructor(sequelize: Sequelize) {
    this.sessions = defineSessionModel(sequelize);
  }

  async create(session: Session): Promise<void> {
    try {
      await this.sessions.create({ ...session });
    } catch (err) {
      throw toAppError(err, 'DATABASE_ERROR', `storing a session of user ${session.userId} failed`);
    }
  }

  async findByTokenHash(tokenHash: string): Promise<Session | undefined> {
    try {
      const row = await this.sessions.findByPk(tokenHash);
      return row === null ? undefined : toSession(row);
    } catch (err) {
      throw toAppError(err, 'DATABASE_ERROR', 'reading a session failed');
    }
  }

  async listByUser(userId: number): Promise<Session[]> {
    try {
      const rows = await this.sessions.findAll({ where: { userId }, order: [['createdAt', 'DESC'], ['tokenHash', 'ASC']] });
      return rows.map(toSession);
    } catch (err) {
      throw toAppError(err, 'DATABASE_ERROR', `listing the sessions of user ${userId} failed`);
    }
  }

  async delete(tokenHash: string): Promise<void> {
    try {
      await this.sessions.destroy({ where: { tokenHash } });
    } catch (err) {
      throw toAppError(err, 'DATABASE_ERROR', 'deleting a session failed');
    }
  }

  async deleteByUser(userId: number, keep?: string): Promise<number> {
    try {
      // One DELETE ... WHERE user_id: a session inserted between a SELECT and a DELETE by hashes would survive.
      return await this.sessions.destroy({ where: keep === undefined ? { userId } : { userId, tokenHash: { [Op.ne]: keep } } });
    } catch (err) {
      throw toAppError(err, 'DATABASE_ERROR', `deleting the sessions of user ${userId} failed`);
    }
  }

  async deleteExpired(now: Date): Promise<number> {
    try {
      return await this.sessions.destroy({ where: { expiresAt: { [Op.lte]: now } } });
    } catch (err) {
      throw toAppError(err, 'DATABASE_ERROR', 'deleting expired sessions failed');
    }
  }
}

function toSession(row: SessionRow): Session {
  const r = row.get({ plain: true });
  return {
    tokenHash: r.tokenHash,
    userId: r.userId,
    expiresAt: asDate(r.expiresAt),
    createdAt: asDate(r.createdAt),
    clientAddress: r.clientAddress,
    userAgent: r.userAgent,
  };
}

function asDate(value: Date | string): Date {
  return value instanceof Date ? value : new Date(value);
}
