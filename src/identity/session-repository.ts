/** A signed-in session: only the SHA-256 of the bearer token is stored, never the token. */
export interface Session {
  /** Lowercase hex SHA-256 of the token. */
  readonly tokenHash: string;
  readonly userId: number;
  readonly expiresAt: Date;
  readonly createdAt: Date;
  /** The client's address at login (as the HTTP server saw it); null when not known. */
  readonly clientAddress: string | null;
  /** The browser's User-Agent at login, cut to 255 characters; null when not sent. */
  readonly userAgent: string | null;
}

export interface SessionRepository {
  create(session: Session): Promise<void>;
  findByTokenHash(tokenHash: string): Promise<Session | undefined>;
  /** The sessions of a user (expired ones included until purged), newest first. */
  listByUser(userId: number): Promise<Session[]>;
  /** Removes one session; nothing happens when it is already gone. */
  delete(tokenHash: string): Promise<void>;
  /**
   * Removes every session of a user but the one whose hash is `keep` (if given), in one statement
   * (no session inserted meanwhile can slip between a read and the delete); returns how many.
   */
  deleteByUser(userId: number, keep?: string): Promise<number>;
  /** Removes every session that expired at or before `now`; returns how many. */
  deleteExpired(now: Date): Promise<number>;
}
