import type { Session } from './session-repository.js';

/** How many hex digits of the token's SHA-256 name a session: enough to tell a user's sessions apart. */
const SESSION_ID_LENGTH = 16;

/** A session's id as the API shows it: a prefix of its token's SHA-256, never the hash in full. */
export const SESSION_ID_PATTERN = /^[0-9a-f]{16}$/;

/** A signed-in session as its user (or an admin) sees it: no token, no full hash. */
export interface SessionInfo {
  readonly id: string;
  readonly createdAt: Date;
  readonly expiresAt: Date;
  /** The session making the request. */
  readonly current: boolean;
  readonly clientAddress: string | null;
  readonly userAgent: string | null;
}

export function sessionIdOf(tokenHash: string): string {
  return tokenHash.slice(0, SESSION_ID_LENGTH);
}

export function toSessionInfo(session: Session, currentTokenHash: string | undefined): SessionInfo {
  return {
    id: sessionIdOf(session.tokenHash),
    createdAt: session.createdAt,
    expiresAt: session.expiresAt,
    current: session.tokenHash === currentTokenHash,
    clientAddress: session.clientAddress,
    userAgent: session.userAgent,
  };
}

/** Where a login came from, as the HTTP layer saw it (both are outside input: bounded and cleaned here). */
export interface LoginOrigin {
  readonly address?: string | undefined;
  readonly userAgent?: string | undefined;
}

/** Printable text only (no control characters), cut to `max`; empty → null. */
export function cleanOriginText(value: string | undefined, max: number): string | null {
  if (value === undefined) return null;
  // eslint-disable-next-line no-control-regex
  const text = value.replace(/[\u0000-\u001f\u007f]/g, ' ').trim().slice(0, max);
  return text === '' ? null : text;
}
