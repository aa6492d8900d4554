/**
 * Who is signed in, kept in sessionStorage (per browser tab: two agents can share a PC, one tab each;
 * a reload keeps the session). Reactive, so the layout and the router follow it.
 */
import type { UserRole } from '@wire/users';
import { reactive } from 'vue';

export type Role = UserRole;

export interface SessionUser {
  readonly id: number;
  readonly username: string;
  readonly role: Role;
  readonly displayName: string;
  readonly extension?: string;
  readonly unitId?: number;
  /** An admin set the password: the app shows only the change-password page until it is changed. */
  readonly mustChangePassword?: boolean;
}

interface SessionState {
  token: string | undefined;
  expiresAt: string | undefined;
  user: SessionUser | undefined;
  /** The centre's IANA zone (the server's config TZ): dates and "today" are shown in it, not the PC's. */
  timeZone?: string | undefined;
}

const KEY = 'hotline.session';

function load(): SessionState {
  try {
    const raw = sessionStorage.getItem(KEY);
    if (raw !== null) {
      const parsed = JSON.parse(raw) as SessionState;
      if (parsed.expiresAt === undefined || Date.parse(parsed.expiresAt) > Date.now()) return parsed;
      // Expired: its token is of no use any more, so it is not kept in the tab either.
      sessionStorage.removeItem(KEY);
    }
  } catch {
    // An unreadable entry is the same as none.
  }
  return { token: undefined, expiresAt: undefined, user: undefined };
}

export const session = reactive<SessionState>(load());

export function setSession(token: string, expiresAt: string, user: SessionUser, timeZone?: string): void {
  session.token = token;
  session.expiresAt = expiresAt;
  session.user = user;
  session.timeZone = timeZone;
  sessionStorage.setItem(KEY, JSON.stringify({ token, expiresAt, user, timeZone }));
}

/** The signed-in user as the server answers it now (e.g. after the password was changed). */
export function updateSessionUser(user: SessionUser): void {
  if (session.token === undefined) return;
  session.user = user;
  sessionStorage.setItem(KEY, JSON.stringify({ token: session.token, expiresAt: session.expiresAt, user, timeZone: session.timeZone }));
}

/** The centre's zone learnt after sign-in (a session kept from before the server told it at login). */
export function setTimeZone(timeZone: string): void {
  if (session.token === undefined) return;
  session.timeZone = timeZone;
  sessionStorage.setItem(KEY, JSON.stringify({ token: session.token, expiresAt: session.expiresAt, user: session.user, timeZone }));
}

export function clearSession(): void {
  session.token = undefined;
  session.expiresAt = undefined;
  session.user = undefined;
  session.timeZone = undefined;
  sessionStorage.removeItem(KEY);
}

/** The page each role starts on. */
export function homeOf(role: Role): string {
  switch (role) {
    case 'agent':
      return '/agent';
    case 'unit':
      return '/unit';
    case 'supervisor':
      return '/supervisor/wallboard';
    case 'admin':
      return '/admin/users';
  }
}
