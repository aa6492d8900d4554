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
  /**
   * Changes the given fields; NotFoundError when there is no such user. `keepAnActiveAdmin`: refuses
   * (LastActiveAdminError) to make inactive the only active admin, checked in the same transaction
   * as the write (the active admins' rows locked), so two admins disabling each other at once cannot
   * both succeed.
   */
  update(id: number, patch: UserPatchRecord, options?: { readonly keepAnActiveAdmin?: boolean }): Promise<User>;
}
