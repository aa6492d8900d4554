import { DuplicateUserError, LastActiveAdminError } from '../../../src/identity/identity-errors.js';
import type { Session, SessionRepository } from '../../../src/identity/session-repository.js';
import { NotFoundError } from '../../../src/shared/app-error.js';
import { toPublicUser, type NewUserRecord, type StoredUser, type User, type UserPatchRecord, type UserRole } from '../../../src/identity/user.js';
import type { UserRepository } from '../../../src/identity/user-repository.js';
import type { Clock, Timer } from '../../../src/shared/clock.js';

/** An in-memory UserRepository with the database one's semantics (unique username and extension). */
export class InMemoryUserRepository implements UserRepository {
  readonly rows: StoredUser[] = [];

  create(user: NewUserRecord): Promise<User> {
    if (this.rows.some((u) => u.username === user.username)) return Promise.reject(new DuplicateUserError('username', user.username));
    if (user.extension !== null && this.rows.some((u) => u.extension === user.extension)) {
      return Promise.reject(new DuplicateUserError('extension', user.extension));
    }
    const { createdAt, ...rest } = user;
    const stored: StoredUser = { ...rest, skills: [...user.skills], id: this.rows.length + 1, createdAt, updatedAt: createdAt };
    this.rows.push(stored);
    return Promise.resolve(toPublicUser(stored));
  }

  findById(id: number): Promise<StoredUser | undefined> {
    return Promise.resolve(this.rows.find((u) => u.id === id));
  }

  findByUsername(username: string): Promise<StoredUser | undefined> {
    return Promise.resolve(this.rows.find((u) => u.username === username));
  }

  list(filter: { roles?: readonly UserRole[] } = {}): Promise<User[]> {
    return Promise.resolve(this.rows.filter((u) => !filter.roles || filter.roles.includes(u.role)).map(toPublicUser));
  }

  update(id: number, patch: UserPatchRecord, options: { readonly keepAnActiveAdmin?: boolean } = {}): Promise<User> {
    const i = this.rows.findIndex((u) => u.id === id);
    const row = this.rows[i];
    if (!row) return Promise.reject(new NotFoundError(`user ${id} not found`));
    const admins = this.rows.filter((u) => u.role === 'admin' && u.active).map((u) => u.id);
    if (patch.active === false && options.keepAnActiveAdmin === true && admins.length === 1 && admins[0] === id) return Promise.reject(new LastActiveAdminError(id));
    const defined = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as Partial<StoredUser>;
    const next: StoredUser = { ...row, ...defined, skills: patch.skills === undefined ? row.skills : [...patch.skills] };
    this.rows[i] = next;
    return Promise.resolve(toPublicUser(next));
  }

  /** Test helper: (de)activates a user. */
  setActive(id: number, active: boolean): void {
    const i = this.rows.findIndex((u) => u.id === id);
    const row = this.rows[i];
    if (row) this.rows[i] = { ...row, active };
  }
}

export class InMemorySessionRepository implements SessionRepository {
  readonly rows = new Map<string, Session>();

  create(session: Session): Promise<void> {
    this.rows.set(session.tokenHash, session);
    return Promise.resolve();
  }

  findByTokenHash(tokenHash: string): Promise<Session | undefined> {
    return Promise.resolve(this.rows.get(tokenHash));
  }

  listByUser(userId: number): Promise<Session[]> {
    const mine = [...this.rows.values()].filter((s) => s.userId === userId);
    return Promise.resolve(mine.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || a.tokenHash.localeCompare(b.tokenHash)));
  }

  delete(tokenHash: string): Promise<void> {
    this.rows.delete(tokenHash);
    return Promise.resolve();
  }

  deleteByUser(userId: number, keep?: string): Promise<number> {
    let removed = 0;
    for (const [hash, s] of this.rows) {
      if (s.userId === userId && hash !== keep) {
        this.rows.delete(hash);
        removed++;
      }
    }
    return Promise.resolve(removed);
  }

  deleteExpired(now: Date): Promise<number> {
    let n = 0;
    for (const [hash, s] of this.rows) {
      if (s.expiresAt.getTime() <= now.getTime()) {
        this.rows.delete(hash);
        n++;
      }
    }
    return Promise.resolve(n);
  }
}

/** A Clock whose time moves only when the test says so. */
export class FakeClock implements Clock {
  constructor(public time = Date.UTC(2024, 4, 1, 8, 0, 0)) {}

  now(): number {
    return this.time;
  }

  advance(ms: number): void {
    this.time += ms;
  }

  setTimeout(): Timer {
    throw new Error('FakeClock has no timers');
  }

  clearTimeout(): void {
    // no timers
  }
}
