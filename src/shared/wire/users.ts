/** Users on the wire: `/api/v1/users`, `/api/v1/agents` (api/agents.routes.ts `toUserJson`). Dependency-free. */

/** Roles of the hotline's users (shared/DOMAIN.md "Who uses it"). */
export const USER_ROLES = ['admin', 'supervisor', 'agent', 'unit'] as const;
export type UserRole = (typeof USER_ROLES)[number];

/** A user as the API shows it: never the password hash or the SIP HA1. */
export interface UserJson {
  readonly id: number;
  readonly username: string;
  readonly displayName: string;
  readonly role: UserRole;
  /** An agent's extension (分机号); null for other roles. */
  readonly extension: string | null;
  /** Queue skills of an agent (e.g. `general`, `callback`); empty for other roles. */
  readonly skills: readonly string[];
  /** A unit user's handling unit; null for other roles. */
  readonly unitId: number | null;
  readonly active: boolean;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** `GET /users`, `GET /agents`. */
export interface UserListJson {
  readonly items: readonly UserJson[];
}
