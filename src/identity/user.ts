import type { UserRole } from '../shared/wire/users.js';

/** Roles of the hotline's users (shared/DOMAIN.md "Who uses it"); the same list as api/auth-context.ts ROLES. */
export { USER_ROLES, type UserRole } from '../shared/wire/users.js';

/** A user as every layer may see it: no password hash, no SIP HA1. */
export interface User {
  readonly id: number;
  readonly username: string;
  readonly displayName: string;
  readonly role: UserRole;
  /** SIP extension of an agent (3-8 digits), else null. */
  readonly extension: string | null;
  /** Queue skills of an agent (e.g. `general`, `water`); empty for other roles. */
  readonly skills: readonly string[];
  /** Handling unit of a `unit` user (the units table is another module's; no foreign key). */
  readonly unitId: number | null;
  readonly active: boolean;
  /**
   * An admin gave this user its password (reset, or a new user created so): until the user chooses
   * its own, its token opens only /auth/me, /auth/password and /auth/logout, and no socket.
   */
  readonly mustChangePassword: boolean;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** A user with its secrets, as the repository stores it; only the identity service reads these. */
export interface StoredUser extends User {
  /** `scrypt$N$r$p$salt$hash` (salt and hash base64), see password-hash.ts. */
  readonly passwordHash: string;
  /** MD5(extension:realm:password) in lowercase hex (RFC 2617 §3.2.2.2), agents only. */
  readonly sipHa1: string | null;
  /** The realm `sipHa1` was computed with: a different realm makes the HA1 useless. */
  readonly sipRealm: string | null;
}

/** What the identity service asks the repository to insert. */
export interface NewUserRecord {
  readonly username: string;
  readonly displayName: string;
  readonly role: UserRole;
  readonly passwordHash: string;
  readonly extension: string | null;
  readonly sipHa1: string | null;
  readonly sipRealm: string | null;
  readonly skills: readonly string[];
  readonly unitId: number | null;
  readonly active: boolean;
  readonly mustChangePassword: boolean;
  /** Written as both created and updated time (from the service's Clock). */
  readonly createdAt: Date;
}

/** What the identity service asks the repository to change; absent fields stay. */
export interface UserPatchRecord {
  readonly displayName?: string;
  readonly skills?: readonly string[];
  readonly unitId?: number | null;
  readonly active?: boolean;
  readonly passwordHash?: string;
  readonly mustChangePassword?: boolean;
  readonly sipHa1?: string | null;
  readonly sipRealm?: string | null;
  /** From the service's Clock. */
  readonly updatedAt: Date;
}

/** Strips the secrets off a stored user. */
export function toPublicUser(user: StoredUser): User {
  return {
    id: user.id,
    username: user.username,
    displayName: user.displayName,
    role: user.role,
    extension: user.extension,
    skills: user.skills,
    unitId: user.unitId,
    active: user.active,
    mustChangePassword: user.mustChangePassword,
    createdAt: user.createdAt,
    updatedAt: user.updatedAt,
  };
}
