import { Op, UniqueConstraintError, type Sequelize, type WhereOptions } from 'sequelize';
import { DuplicateUserError, LastActiveAdminError, type UniqueUserField } from '../identity/identity-errors.js';
import { USER_ROLES, toPublicUser, type NewUserRecord, type StoredUser, type User, type UserPatchRecord, type UserRole } from '../identity/user.js';
import type { UserRepository } from '../identity/user-repository.js';
import { AppError, NotFoundError, toAppError } from '../shared/app-error.js';
import { ticketTransaction } from './ticket-transaction.js';
import { defineUserModel, type UserModel, type UserRow } from './user.model.js';

/**
 * UserRepository on the `users` table; returns plain objects, never model instances.
 * Also the registrar's SIP credential store (telephony's `SipCredentialStore`, matched by shape:
 * db/ may not import telephony/).
 */
export class SequelizeUserRepository implements UserRepository {
  private readonly users: UserModel;

  constructor(private readonly sequelize: Sequelize) {
    this.users = defineUserModel(sequelize);
  }

  async create(user: NewUserRecord): Promise<User> {
    // Asked first for a clear answer; the unique indexes still decide when two requests race.
    await this.refuseTaken('username', user.username);
    if (user.extension !== null) await this.refuseTaken('extension', user.extension);
    try {
      const row = await this.users.create({
        username: user.username,
        displayName: user.displayName,
        role: user.role,
        passwordHash: user.passwordHash,
        extension: user.extension,
        sipHa1: user.sipHa1,
        sipRealm: user.sipRealm,
        skills: [...user.skills],
        unitId: user.unitId,
        active: user.active,
        mustChangePassword: user.mustChangePassword,
        createdAt: user.createdAt,
        updatedAt: user.createdAt,
      });
      return toPublicUser(toStoredUser(row));
    } catch (err) {
      if (err instanceof UniqueConstraintError) {
        const field = duplicateField(err);
        throw new DuplicateUserError(field, field === 'extension' ? (user.extension ?? '') : user.username, { cause: err });
      }
      throw toAppError(err, 'DATABASE_ERROR', `storing user ${user.username} failed`);
    }
  }

  async findById(id: number): Promise<StoredUser | undefined> {
    return this.findOne({ id }, `user ${id}`);
  }

  async findByUsername(username: string): Promise<StoredUser | undefined> {
    return this.findOne({ username }, `user ${username}`);
  }

  async list(filter: { roles?: readonly UserRole[] } = {}): Promise<User[]> {
    try {
      const where: WhereOptions<UserRow> = filter.roles ? { role: { [Op.in]: [...filter.roles] } } : {};
      const rows = await this.users.findAll({ where, order: [['id', 'ASC']] });
      return rows.map((row) => toPublicUser(toStoredUser(row)));
    } catch (err) {
      throw toAppError(err, 'DATABASE_ERROR', 'listing users failed');
    }
  }

  async update(id: number, patch: UserPatchRecord, options: { readonly keepAnActiveAdmin?: boolean } = {}): Promise<User> {
    const values: Partial<Pick<UserRow, 'displayName' | 'skills' | 'unitId' | 'active' | 'mustChangePassword' | 'passwordHash' | 'sipHa1' | 'sipRealm' | 'updatedAt'>> = {
      updatedAt: patch.updatedAt,
    };
    if (patch.displayName !== undefined) values.displayName = patch.displayName;
    if (patch.skills !== undefined) values.skills = [...patch.skills];
    if (patch.unitId !== undefined) values.unitId = patch.unitId;
    if (patch.active !== undefined) values.active = patch.active;
    if (patch.passwordHash !== undefined) values.passwordHash = patch.passwordHash;
    if (patch.mustChangePassword !== undefined) values.mustChangePassword = patch.mustChangePassword;
    if (patch.sipHa1 !== undefined) values.sipHa1 = patch.sipHa1;
    if (patch.sipRealm !== undefined) values.sipRealm = patch.sipRealm;
    const guard = patch.active === false && (options.keepAnActiveAdmin ?? false);
    let row: UserRow | null;
    try {
      row = await ticketTransaction(this.sequelize, async (transaction) => {
        if (guard) {
          // Locks the active admins' rows (MySQL; SQLite transactions here are one writer at a time):
          // a concurrent disable of another admin waits, then sees this one's result.
          const admins = await this.users.findAll({ where: { role: 'admin', active: true }, attributes: ['id'], transaction, lock: transaction.LOCK.UPDATE });
          const ids = admins.map((a) => a.get({ plain: true }).id);
          if (ids.includes(id) && ids.length === 1) throw new LastActiveAdminError(id);
        }
        await this.users.update(values, { where: { id }, transaction });
        // Read back rather than trust the affected-row count: MySQL counts only rows that changed.
        return this.users.findOne({ where: { id }, transaction });
      });
    } catch (err) {
      throw toAppError(err, 'DATABASE_ERROR', `updating user ${id} failed`);
    }
    if (row === null) throw new NotFoundError(`user ${id} not found`);
    return toPublicUser(toStoredUser(row));
  }

  /**
   * SipCredentialStore: the HA1 of the active agent whose extension is `username`, only when it was
   * computed in `realm` (RFC 3261 §22.4: HA1 binds the realm; another realm's HA1 can never match).
   */
  async findHa1(username: string, realm: string): Promise<string | undefined> {
    try {
      const row = await this.users.findOne({ where: { extension: username, role: 'agent', active: true } });
      if (row === null) return undefined;
      const { sipHa1, sipRealm } = row.get({ plain: true });
      return sipHa1 !== null && sipRealm === realm ? sipHa1 : undefined;
    } catch (err) {
      throw toAppError(err, 'DATABASE_ERROR', `reading SIP credentials of ${username} failed`);
    }
  }

  private async findOne(where: WhereOptions<UserRow>, what: string): Promise<StoredUser | undefined> {
    try {
      const row = await this.users.findOne({ where });
      return row === null ? undefined : toStoredUser(row);
    } catch (err) {
      throw toAppError(err, 'DATABASE_ERROR', `reading ${what} failed`);
    }
  }

  private async refuseTaken(field: UniqueUserField, value: string): Promise<void> {
    let count: number;
    try {
      count = await this.users.count({ where: { [field]: value } });
    } catch (err) {
      throw toAppError(err, 'DATABASE_ERROR', `checking ${field} ${value} failed`);
    }
    if (count > 0) throw new DuplicateUserError(field, value);
  }
}

/** Which unique index refused: SQLite names the columns, MySQL the index (`users_extension_unique`). */
function duplicateField(err: UniqueConstraintError): UniqueUserField {
  const text = [...Object.keys(err.fields), err.message, ...err.errors.map((e) => `${e.path ?? ''} ${e.message}`)].join(' ');
  const parent: unknown = err.parent;
  const parentText = parent instanceof Error ? parent.message : '';
  return /extension/.test(`${text} ${parentText}`) ? 'extension' : 'username';
}

function toStoredUser(row: UserRow): StoredUser {
  const r = row.get({ plain: true });
  return {
    id: r.id,
    username: r.username,
    displayName: r.displayName,
    role: asRole(r.role),
    passwordHash: r.passwordHash,
    extension: r.extension,
    sipHa1: r.sipHa1,
    sipRealm: r.sipRealm,
    skills: asSkills(r.skills, r.id),
    unitId: r.unitId,
    active: r.active,
    mustChangePassword: r.mustChangePassword,
    createdAt: asDate(r.createdAt),
    updatedAt: asDate(r.updatedAt),
  };
}

function asRole(value: string): UserRole {
  const role = USER_ROLES.find((r) => r === value);
  if (role === undefined) throw new AppError('DATA_CORRUPT', `stored user has an unknown role "${value}"`);
  return role;
}

function asSkills(value: unknown, id: number): string[] {
  let parsed: unknown = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value);
    } catch (err) {
      throw new AppError('DATA_CORRUPT', `stored user ${id} has skills that are not JSON`, { cause: err });
    }
  }
  if (!Array.isArray(parsed) || !parsed.every((s): s is string => typeof s === 'string')) {
    throw new AppError('DATA_CORRUPT', `stored user ${id} has skills that are not a list of strings`);
  }
  return parsed;
}

function asDate(value: Date | string): Date {
  return value instanceof Date ? value : new Date(value);
}
