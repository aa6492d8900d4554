import type { SessionJson } from '@wire/users';
import { api } from './http';
import { clearSession, session, setSession, setTimeZone, updateSessionUser, type SessionUser } from './session-store';

export type { SessionJson } from '@wire/users';

export async function login(username: string, password: string): Promise<SessionUser> {
  const res = await api.post<{ token: string; expiresAt: string; user: SessionUser; timeZone?: string }>('/auth/login', { username, password });
  setSession(res.token, res.expiresAt, res.user, res.timeZone);
  return res.user;
}

export async function logout(): Promise<void> {
  try {
    await api.post('/auth/logout');
  } finally {
    clearSession();
  }
}

/**
 * A session signed in before the server told its zone at login (or kept over an update): asks
 * /auth/me for it once, so dates follow the centre's zone. Failing is harmless (the browser's zone).
 */
export async function learnTimeZone(): Promise<void> {
  if (session.token === undefined || session.timeZone !== undefined) return;
  try {
    const me = await api.get<{ timeZone?: string }>('/auth/me');
    if (typeof me.timeZone === 'string' && me.timeZone !== '') setTimeZone(me.timeZone);
  } catch {
    // A 401 is handled by the client (to the login page); anything else: the browser's zone meanwhile.
  }
}

/**
 * Changes the signed-in user's own password (POST /auth/password). The server ends the user's other
 * sessions and keeps this one; the answered user (mustChangePassword now false) replaces the stored one.
 */
export async function changePassword(currentPassword: string, newPassword: string): Promise<SessionUser> {
  const res = await api.post<{ user: SessionUser }>('/auth/password', { currentPassword, newPassword });
  updateSessionUser(res.user);
  return res.user;
}

export const mySessions = async (): Promise<SessionJson[]> => (await api.get<{ items: SessionJson[] }>('/auth/sessions')).items;
export const endMySession = (id: string): Promise<undefined> => api.delete<undefined>(`/auth/sessions/${encodeURIComponent(id)}`);
