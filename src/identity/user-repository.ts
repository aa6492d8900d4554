import type { NewUserRecord, StoredUser, User, UserPatchRecord, UserRole } from './user.js';

/**
 * Where users live. Implementations return plain objects and refuse a taken username or extension
 * with DuplicateUserError (code DUPLICATE, naming the field), checked by a unique index.
 */
export interface UserRepository {
  create(user: NewUserRecord): Promise<User>;
  findById(id: number): Promise<StoredUser | undefined>;
  /** Exact, case-sensitive match. */
  findByUsername(username: string): Promise<StoredUser | undefined>;
  /** Users in id order, optionally of some roles only. */
  list(filter?: { roles?: readonly UserRole[] }): Promise<User[]>;
  /** Changes the given fields; NotFoundError when there is no such user. */
  update(id: number, patch: UserPatchRecord): Promise<User>;
}
