import { AppError, ValidationError } from '../shared/app-error.js';

/**
 * Wrong username or wrong password: one message for both, so the answer does not tell which
 * usernames exist.
 */
export class LoginFailedError extends AppError {
  constructor() {
    super('LOGIN_FAILED', 'wrong username or password');
  }
}

/** Too many failed logins for one username; the API answers 429 with Retry-After. */
export class LoginLockedError extends AppError {
  constructor(readonly retryAfterMs: number) {
    super('LOGIN_LOCKED', `too many failed logins: try again in ${Math.ceil(retryAfterMs / 1000)} s`);
  }
}

export type UniqueUserField = 'username' | 'extension';

/** A username or extension already taken (code DUPLICATE, answered 409); `field` names which. */
export class DuplicateUserError extends AppError {
  constructor(
    readonly field: UniqueUserField,
    value: string,
    options?: { cause?: unknown },
  ) {
    super('DUPLICATE', `${field} ${value} is already taken`, options);
  }
}

/**
 * Disabling this user would leave no active admin (nobody could manage users any more): refused
 * naming `active` (400). The user repository checks it in the same transaction as the write.
 */
export class LastActiveAdminError extends ValidationError {
  constructor(userId: number) {
    const message = `user ${userId} is the last active admin: enable or create another admin first`;
    super(`invalid user: active ${message}`, [{ path: 'active', message }]);
  }
}

/**
 * The current password given to change one's own password is wrong: refused naming
 * `currentPassword` (400), so the form shows it beside the field. Counted like a failed login.
 */
export class CurrentPasswordWrongError extends ValidationError {
  constructor() {
    const message = 'is not your current password';
    super(`invalid password change: currentPassword ${message}`, [{ path: 'currentPassword', message }]);
  }
}

/**
 * An admin set this user's password: until the user chooses its own, its token opens only
 * /auth/me, /auth/password and /auth/logout (403 with this code) and no WebSocket (4403).
 */
export class PasswordChangeRequiredError extends AppError {
  constructor() {
    super('PASSWORD_CHANGE_REQUIRED', 'an admin set your password: choose your own first (POST /api/v1/auth/password)');
  }
}
