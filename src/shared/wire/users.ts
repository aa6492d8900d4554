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
  /** An admin set its password: it must choose its own at its next login (须修改密码). */
  readonly mustChangePassword: boolean;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** `GET /users`, `GET /agents`. */
export interface UserListJson {
  readonly items: readonly UserJson[];
}

/**
 * A signed-in session: `GET /auth/sessions` (one's own), `GET /users/:id/sessions` (an admin). The id
 * is a prefix of the token's SHA-256 (never the token, never the full hash): `DELETE
 * /auth/sessions/:id` ends it.
 */
export interface SessionJson {
  readonly id: string;
  readonly createdAt: string;
  readonly expiresAt: string;
  /** The session making this request. */
  readonly current: boolean;
  /** The client's address at login; null for sessions from before it was kept. */
  readonly clientAddress: string | null;
  /** The browser's User-Agent at login (at most 255 characters); null when unknown. */
  readonly userAgent: string | null;
}

export interface SessionListJson {
  readonly items: readonly SessionJson[];
}

/**
 * `GET /agents/me/sip-credentials`: the signed-in agent's own SIP account for the workspace's phone
 * (JsSIP registers with the HA1, never a clear password: the server keeps only the HA1).
 */
export interface SipCredentialsJson {
  /** The agent's extension: the SIP user name. */
  readonly extension: string;
  readonly realm: string;
  /** MD5(extension:realm:password), lowercase hex. */
  readonly ha1: string;
}
