import { createHash, randomBytes } from 'node:crypto';
import type { Logger } from '../logging/logger.js';
import { InvalidStateError, NotFoundError, ValidationError } from '../shared/app-error.js';
import type { Clock } from '../shared/clock.js';
import { TypedEmitter } from '../shared/typed-emitter.js';
import { CurrentPasswordWrongError, DuplicateUserError, LoginFailedError, LoginLockedError } from './identity-errors.js';
import { LoginThrottle, type LoginThrottleOptions } from './login-throttle.js';
import { hashPassword, makeDummyHash, verifyPassword } from './password-hash.js';
import { cleanOriginText, SESSION_ID_PATTERN, sessionIdOf, toSessionInfo, type LoginOrigin, type SessionInfo } from './session-info.js';
import type { SessionRepository } from './session-repository.js';
import type { IdentityEvents, UserSessionsEndedEvent } from './identity-events.js';
import { computeSipHa1 } from './sip-ha1.js';
import { toPublicUser, type StoredUser, type User, type UserPatchRecord, type UserRole } from './user.js';
import { newUserInputSchema, parseFields, passwordSchema, userPatchSchema, usernameSchema, type NewUserInput, type UserPatchInput } from './user-fields.js';
import type { UserRepository } from './user-repository.js';

export interface IdentityServiceDeps {
  readonly users: UserRepository;
  readonly sessions: SessionRepository;
  readonly clock: Clock;
  /** SIP_REALM: agents' HA1 is computed in it. */
  readonly sipRealm: string;
  /** AUTH_TOKEN_TTL_H in milliseconds. */
  readonly tokenTtlMs: number;
  readonly logger: Logger;
  readonly throttle?: LoginThrottleOptions;
  /**
   * Whether a handling unit exists (the units are the work-order module's): a unit user's unitId
   * must name one. Absent: not checked (tests without units).
   */
  readonly unitExists?: (unitId: number) => Promise<boolean>;
}

export interface IssuedToken {
  /** Opaque bearer token: 32 random bytes, base64url. Shown once; only its SHA-256 is stored. */
  readonly token: string;
  readonly expiresAt: Date;
}

export interface LoginResult extends IssuedToken {
  readonly user: User;
}

export type { IdentityEvents, SessionEndedEvent, SipCredentialsChangedEvent, UserSessionsEndedEvent } from './identity-events.js';

const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** SHA-256 of a bearer token, lowercase hex: what the sessions table keys on. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/**
 * Users, passwords, SIP credentials and bearer tokens. Never logs a password, token or hash.
 */
export class IdentityService {
  /**
   * `session-ended` on logout and on a token found expired; `user-sessions-ended` when a user is
   * disabled or given a new password: the WebSocket servers close the sockets (4401).
   */
  readonly observer: TypedEmitter<IdentityEvents>;
  private readonly throttle: LoginThrottle;
  private dummyHash: Promise<string> | undefined;

  constructor(private readonly deps: IdentityServiceDeps) {
    this.observer = new TypedEmitter<IdentityEvents>({
      onListenerError: (event, err) => {
        deps.logger.error('identity event listener failed', { event, error: err instanceof Error ? err.message : String(err) });
      },
    });
    this.throttle = new LoginThrottle(deps.clock, deps.throttle);
  }

  /**
   * Creates a user (`mustChangePassword`: it must choose its own password at its first login; default
   * false); refuses bad fields and a unitId naming no handling unit (ValidationError naming
   * each) and a taken username or extension (DUPLICATE).
   */
  async createUser(input: NewUserInput): Promise<User> {
    const u = parseFields(newUserInputSchema, input, 'user');
    if (u.role === 'unit' && u.unitId !== undefined) await this.refuseUnknownUnit(u.unitId);
    const extension = u.role === 'agent' ? (u.extension ?? null) : null;
    const user = await this.deps.users.create({
      username: u.username,
      displayName: u.displayName ?? u.username,
      role: u.role,
      passwordHash: await hashPassword(u.password),
      extension,
      sipHa1: extension === null ? null : computeSipHa1(extension, this.deps.sipRealm, u.sipPassword ?? u.password),
      sipRealm: extension === null ? null : this.deps.sipRealm,
      skills: u.role === 'agent' ? (u.skills ?? []) : [],
      unitId: u.role === 'unit' ? (u.unitId ?? null) : null,
      active: true,
      mustChangePassword: u.mustChangePassword ?? false,
      createdAt: new Date(this.deps.clock.now()),
    });
    this.deps.logger.info('user created', { userId: user.id, username: user.username, role: user.role, agentId: user.extension ?? undefined });
    return user;
  }

  /**
   * The user whose password this is. Unknown user, wrong password and inactive user all fail with
   * LOGIN_FAILED after the same scrypt work. Failures slow further tries (LOGIN_LOCKED with the wait,
   * see login-throttle.ts) per account + address, per address and per account, never locking the
   * account's owner out of an address they logged in from before.
   */
  async authenticate(username: string, password: string, address = 'unknown'): Promise<User> {
    return toPublicUser(await this.checkCredentials(username, password, address));
  }

  /** authenticate(), answering the stored user (with the hash the password matched). */
  private async checkCredentials(username: string, password: string, address: string): Promise<StoredUser> {
    const valid = usernameSchema.safeParse(username).success;
    // Counted before the password is checked (issue 9, item 6). Names that cannot exist are
    // counted per address only: they could only fill the table.
    const attempt = await this.throttle.admit(valid ? username : '', address);
    if (attempt.waitMs > 0) throw new LoginLockedError(attempt.waitMs);
    const stored = valid ? await this.deps.users.findByUsername(username) : undefined;
    const matches = await verifyPassword(password, stored?.passwordHash ?? (await this.getDummyHash()));
    if (!stored || !matches || !stored.active) {
      await this.throttle.recordFailure(attempt);
      this.deps.logger.warn('login failed', { username: valid ? username : undefined, address });
      throw new LoginFailedError();
    }
    await this.throttle.recordSuccess(attempt);
    return stored;
  }

  /**
   * Starts a session for a user: a new random token, stored as its SHA-256 with the expiry and where
   * the login came from (address, User-Agent: shown in the sessions list).
   */
  async issueToken(user: Pick<User, 'id'>, origin: LoginOrigin = {}): Promise<IssuedToken> {
    const token = randomBytes(32).toString('base64url');
    const now = this.deps.clock.now();
    const expiresAt = new Date(now + this.deps.tokenTtlMs);
    await this.deps.sessions.create({
      tokenHash: hashToken(token),
      userId: user.id,
      expiresAt,
      createdAt: new Date(now),
      clientAddress: cleanOriginText(origin.address, 64),
      userAgent: cleanOriginText(origin.userAgent, 255),
    });
    return { token, expiresAt };
  }

  /**
   * authenticate + issueToken. An admin may reset the password or disable the user between the
   * check and the session's insert, and end the user's sessions before that insert lands: so the
   * user is read again once the session is stored, and when its password hash changed or it is no
   * longer active, the new session is deleted and the login fails (LOGIN_FAILED). A reset after
   * that read ends the session itself (its DELETE comes after the insert).
   */
  async login(username: string, password: string, address = 'unknown', userAgent?: string): Promise<LoginResult> {
    const stored = await this.checkCredentials(username, password, address);
    const issued = await this.issueToken(stored, { address, userAgent });
    const now = await this.deps.users.findById(stored.id);
    if (now?.passwordHash !== stored.passwordHash || !now.active) {
      await this.deps.sessions.delete(hashToken(issued.token));
      this.deps.logger.warn('login failed: the password was reset or the user disabled during it', { userId: stored.id, address });
      throw new LoginFailedError();
    }
    const user = toPublicUser(now);
    this.deps.logger.info('login', { userId: user.id, username: user.username, role: user.role });
    return { ...issued, user };
  }

  /** The active user holding this token, or undefined when it is unknown, expired or its user inactive. */
  async verifyToken(token: string): Promise<User | undefined> {
    if (!TOKEN_PATTERN.test(token)) return undefined;
    const tokenHash = hashToken(token);
    const session = await this.deps.sessions.findByTokenHash(tokenHash);
    if (!session) return undefined;
    if (session.expiresAt.getTime() <= this.deps.clock.now()) {
      await this.deps.sessions.delete(tokenHash);
      this.observer.emit('session-ended', { tokenHash, userId: session.userId, reason: 'expired' });
      return undefined;
    }
    const user = await this.deps.users.findById(session.userId);
    if (!user?.active) return undefined;
    return toPublicUser(user);
  }

  /** When the session of this token expires; undefined when it is unknown (or already ended). */
  async sessionExpiry(token: string): Promise<Date | undefined> {
    if (!TOKEN_PATTERN.test(token)) return undefined;
    return (await this.deps.sessions.findByTokenHash(hashToken(token)))?.expiresAt;
  }

  /**
   * Ends the session of this token (logout) and tells `observer` (`session-ended`), so that sockets
   * opened with it close at once; nothing happens when it is unknown.
   */
  async revokeToken(token: string): Promise<void> {
    if (!TOKEN_PATTERN.test(token)) return;
    const tokenHash = hashToken(token);
    const session = await this.deps.sessions.findByTokenHash(tokenHash);
    await this.deps.sessions.delete(tokenHash);
    if (session !== undefined) {
      this.deps.logger.info('logout', { userId: session.userId });
      this.observer.emit('session-ended', { tokenHash, userId: session.userId, reason: 'logout' });
    }
  }

  /** Removes expired sessions (for a periodic job); returns how many. */
  async purgeExpiredSessions(): Promise<number> {
    return this.deps.sessions.deleteExpired(new Date(this.deps.clock.now()));
  }

  /** The user with this id (without secrets); NotFoundError when there is none. */
  async getUser(id: number): Promise<User> {
    const user = await this.deps.users.findById(id);
    if (!user) throw new NotFoundError(`user ${id} not found`);
    return toPublicUser(user);
  }

  /**
   * An admin changes a user (display name, skills of an agent, unit of a unit user, active).
   * Refuses a field the user's role has not, a unitId naming no handling unit, an admin disabling
   * their own account and disabling the last active admin (ValidationError naming the field).
   * Disabling ends every session of the user at once (its tokens stop working, its sockets close),
   * enabling again starts it with none, and for an agent, drops its phone's registration (`sip-credentials-changed`); `user-updated`
   * tells the ACD (new skills; a disabled agent is logged out once free).
   */
  async updateUser(id: number, input: UserPatchInput, actor: { readonly id: number }): Promise<User> {
    const p = parseFields(userPatchSchema, input, 'user');
    const current = await this.deps.users.findById(id);
    if (!current) throw new NotFoundError(`user ${id} not found`);
    const issues: { path: string; message: string }[] = [];
    if (p.skills !== undefined && current.role !== 'agent') issues.push({ path: 'skills', message: 'is only for agents' });
    if (p.unitId !== undefined && current.role !== 'unit') issues.push({ path: 'unitId', message: 'is only for unit users' });
    if (p.active === false && id === actor.id) issues.push({ path: 'active', message: 'you cannot disable your own account' });
    if (issues.length > 0) throw new ValidationError(`invalid user: ${issues.map((i) => `${i.path} ${i.message}`).join('; ')}`, issues);
    if (p.unitId !== undefined) await this.refuseUnknownUnit(p.unitId);
    const patch: { -readonly [K in keyof UserPatchRecord]: UserPatchRecord[K] } = { updatedAt: new Date(this.deps.clock.now()) };
    if (p.displayName !== undefined) patch.displayName = p.displayName;
    if (p.skills !== undefined) patch.skills = p.skills;
    if (p.unitId !== undefined) patch.unitId = p.unitId;
    if (p.active !== undefined) patch.active = p.active;
    // The last active admin is checked by the repository in the write's own transaction.
    const updated = await this.deps.users.update(id, patch, { keepAnActiveAdmin: p.active === false });
    this.deps.logger.info('user updated', { userId: id, byUserId: actor.id, fields: Object.keys(p).join(',') });
    this.observer.emit('user-updated', updated);
    if (p.active === false && current.extension !== null) this.observer.emit('sip-credentials-changed', { userId: id, extension: current.extension, reason: 'disabled' });
    if (p.active === false) await this.endSessions(id, 'disabled');
    // Enabled again: no session of before may come back (a login racing the disable leaves none, but a
    // row written meanwhile by another process would be valid again from now on).
    if (p.active === true && !current.active) await this.deps.sessions.deleteByUser(id);
    return updated;
  }

  /**
   * Sets a user's login password (an admin's reset). Every other session of the user ends: the
   * old password's holder is signed out. A password an admin set for another user is one the admin
   * knows: that user must choose its own at its next login (`mustChangePassword`). `keepToken`: the
   * caller's own token, kept when an admin resets their own password.
   */
  async setPassword(id: number, password: string, actor: { readonly id: number }, options: { readonly keepToken?: string } = {}): Promise<void> {
    const pw = parseFields(passwordSchema, password, 'password');
    const current = await this.deps.users.findById(id);
    if (!current) throw new NotFoundError(`user ${id} not found`);
    const mustChangePassword = id !== actor.id;
    await this.deps.users.update(id, { passwordHash: await hashPassword(pw), mustChangePassword, updatedAt: new Date(this.deps.clock.now()) });
    this.deps.logger.info('password set', { userId: id, byUserId: actor.id, mustChangePassword });
    await this.endSessions(id, 'password-changed', options.keepToken === undefined ? undefined : hashToken(options.keepToken));
  }

  /**
   * A signed-in user changes its own password. The current password is checked against the login
   * throttle's counters (account + address, address, account): a stolen token is no better an oracle
   * for the password than the login form (LOGIN_LOCKED with the wait). Refuses a wrong current
   * password (naming currentPassword, counted as a failed login) and a new one that breaks the
   * password rules or equals the current one (naming newPassword). On success `mustChangePassword`
   * is cleared and every other session of the user ends (their sockets close); the session of
   * `token`, making the change, stays.
   */
  async changeOwnPassword(userId: number, currentPassword: string, newPassword: string, options: { readonly token: string; readonly address?: string }): Promise<User> {
    const next = parseFields(passwordSchema, newPassword, 'newPassword');
    const stored = await this.deps.users.findById(userId);
    if (!stored?.active) throw new NotFoundError(`user ${userId} not found`);
    const address = options.address ?? 'unknown';
    const attempt = await this.throttle.admit(stored.username, address);
    if (attempt.waitMs > 0) throw new LoginLockedError(attempt.waitMs);
    if (!(await verifyPassword(currentPassword, stored.passwordHash))) {
      await this.throttle.recordFailure(attempt);
      this.deps.logger.warn('password change refused: wrong current password', { userId, address });
      throw new CurrentPasswordWrongError();
    }
    await this.throttle.recordSuccess(attempt);
    if (next === currentPassword) {
      const message = 'must differ from the current password';
      throw new ValidationError(`invalid password change: newPassword ${message}`, [{ path: 'newPassword', message }]);
    }
    const updated = await this.deps.users.update(userId, { passwordHash: await hashPassword(next), mustChangePassword: false, updatedAt: new Date(this.deps.clock.now()) });
    this.deps.logger.info('password changed by its user', { userId });
    await this.endSessions(userId, 'password-changed', hashToken(options.token));
    return updated;
  }

  /**
   * The live sessions of a user, newest first, each with an opaque id (a prefix of its token's
   * SHA-256), its times and where it signed in from; `current` marks the session of `currentToken`.
   * NotFoundError when there is no such user.
   */
  async listSessions(userId: number, currentToken?: string): Promise<SessionInfo[]> {
    await this.getUser(userId);
    const now = this.deps.clock.now();
    const current = currentToken === undefined ? undefined : hashToken(currentToken);
    return (await this.deps.sessions.listByUser(userId)).filter((s) => s.expiresAt.getTime() > now).map((s) => toSessionInfo(s, current));
  }

  /**
   * Ends one session of a user, named by its id from listSessions (a user's own, from its list):
   * its token stops working and its sockets close (`session-ended`, reason `ended`). NotFoundError
   * when the user has no such session.
   */
  async endSession(userId: number, sessionId: string): Promise<void> {
    const session = SESSION_ID_PATTERN.test(sessionId)
      ? (await this.deps.sessions.listByUser(userId)).find((s) => sessionIdOf(s.tokenHash) === sessionId)
      : undefined;
    if (session === undefined) throw new NotFoundError(`you have no session ${SESSION_ID_PATTERN.test(sessionId) ? sessionId : '(malformed id)'}`);
    await this.deps.sessions.delete(session.tokenHash);
    this.deps.logger.info('session ended from the sessions list', { userId });
    this.observer.emit('session-ended', { tokenHash: session.tokenHash, userId, reason: 'ended' });
  }

  /**
   * An admin signs a user out everywhere (全部下线): every session of it ends and its sockets close
   * (`user-sessions-ended`, reason `signed-out-by-admin`). An admin doing it to themselves keeps the
   * session of `keepToken`. Returns how many sessions ended; NotFoundError when there is no such user.
   */
  async endAllSessions(id: number, actor: { readonly id: number }, options: { readonly keepToken?: string } = {}): Promise<number> {
    await this.getUser(id);
    const keep = id === actor.id && options.keepToken !== undefined ? hashToken(options.keepToken) : undefined;
    const count = await this.endSessions(id, 'signed-out-by-admin', keep);
    this.deps.logger.info('user signed out everywhere by an admin', { userId: id, byUserId: actor.id, count });
    return count;
  }

  /**
   * Sets an agent's SIP password: its HA1 for its extension in SIP_REALM. The registration made with
   * the old one is dropped at once (`sip-credentials-changed`): the softphone must register with the
   * new one before it is rung again. InvalidStateError when the user is not an agent.
   */
  async setSipPassword(id: number, password: string, actor: { readonly id: number }): Promise<void> {
    const pw = parseFields(passwordSchema, password, 'sipPassword');
    const current = await this.deps.users.findById(id);
    if (!current) throw new NotFoundError(`user ${id} not found`);
    if (current.role !== 'agent' || current.extension === null) throw new InvalidStateError(`user ${id} is not an agent: it has no SIP account`);
    await this.deps.users.update(id, {
      sipHa1: computeSipHa1(current.extension, this.deps.sipRealm, pw),
      sipRealm: this.deps.sipRealm,
      updatedAt: new Date(this.deps.clock.now()),
    });
    this.deps.logger.info('sip password set', { userId: id, agentId: current.extension, byUserId: actor.id });
    this.observer.emit('sip-credentials-changed', { userId: id, extension: current.extension, reason: 'sip-password-set' });
  }

  /**
   * The agent's own SIP account (extension, realm, HA1) for the workspace's phone; undefined when the
   * user is no agent or its HA1 was computed in another realm (set its SIP password again).
   */
  async ownSipCredentials(userId: number): Promise<{ extension: string; realm: string; ha1: string } | undefined> {
    const user = await this.deps.users.findById(userId);
    if (user?.role !== 'agent' || user.extension === null || user.sipHa1 === null || user.sipRealm !== this.deps.sipRealm) return undefined;
    return { extension: user.extension, realm: user.sipRealm, ha1: user.sipHa1 };
  }

  async listUsers(filter: { roles?: readonly UserRole[] } = {}): Promise<User[]> {
    return this.deps.users.list(filter);
  }

  /**
   * At start-up: creates the admin `username` when no user has that name (an existing one, whatever
   * its role or password, is left alone). Returns whether it created one. Safe when several
   * processes start together: the loser of the race sees DUPLICATE and returns false.
   */
  async ensureAdmin(username: string, password: string): Promise<boolean> {
    if (await this.deps.users.findByUsername(username)) return false;
    try {
      await this.createUser({ username, password, role: 'admin' });
      return true;
    } catch (err) {
      if (err instanceof DuplicateUserError && err.field === 'username') return false;
      throw err;
    }
  }

  /** Deletes the user's sessions (but `keep`) in one statement and tells `observer`, so their sockets close. */
  private async endSessions(userId: number, reason: UserSessionsEndedEvent['reason'], keep?: string): Promise<number> {
    const count = await this.deps.sessions.deleteByUser(userId, keep);
    if (count > 0) this.deps.logger.info('sessions ended', { userId, reason, count });
    // Told even when none was counted: a socket may have been opened by a session of another process.
    this.observer.emit('user-sessions-ended', { userId, reason, keptTokenHash: keep });
    return count;
  }

  private async refuseUnknownUnit(unitId: number): Promise<void> {
    if (this.deps.unitExists === undefined || (await this.deps.unitExists(unitId))) return;
    const message = `names no handling unit (${unitId})`;
    throw new ValidationError(`invalid user: unitId ${message}`, [{ path: 'unitId', message }]);
  }

  private getDummyHash(): Promise<string> {
    this.dummyHash ??= makeDummyHash();
    return this.dummyHash;
  }
}
