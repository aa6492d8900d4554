import type { User } from './user.js';

/** What the identity service tells its `observer` (sockets close, the ACD and the registrar follow). */
/** A session is over: sockets opened with it must close now (ws/session-sockets.ts). */
export interface SessionEndedEvent {
  /** The session's token hash. */
  readonly tokenHash: string;
  readonly userId: number;
  /**
   * `logout`: POST /auth/logout; `expired`: found past its expiry; `ended`: ended from the sessions
   * list (DELETE /auth/sessions/:id).
   */
  readonly reason: 'logout' | 'expired' | 'ended';
}

/**
 * Every session of a user ended at once (one DELETE), but the kept one: sockets of that user opened
 * with any other token must close now.
 */
export interface UserSessionsEndedEvent {
  readonly userId: number;
  /**
   * `disabled`: an admin made the user inactive; `password-changed`: an admin set the password or the
   * user changed its own; `signed-out-by-admin`: an admin ended all its sessions (全部下线).
   */
  readonly reason: 'disabled' | 'password-changed' | 'signed-out-by-admin';
  /** The token hash of the session that was kept (the one making the change), if any. */
  readonly keptTokenHash: string | undefined;
}

export interface IdentityEvents extends Record<string, unknown[]> {
  'session-ended': [event: SessionEndedEvent];
  'user-sessions-ended': [event: UserSessionsEndedEvent];
  /** An admin changed the user (PATCH): the composition hands an agent's new skills to the ACD. */
  'user-updated': [user: User];
  /**
   * An agent's SIP password was set, or the agent disabled: the composition drops the extension's
   * registration, so a phone registered with the old password gets no more calls.
   */
  'sip-credentials-changed': [event: SipCredentialsChangedEvent];
}

export interface SipCredentialsChangedEvent {
  readonly userId: number;
  readonly extension: string;
  readonly reason: 'sip-password-set' | 'disabled';
}
