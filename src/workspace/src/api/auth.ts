import { api } from './http';
import { clearSession, session, setSession, setTimeZone, type SessionUser } from './session-store';

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
