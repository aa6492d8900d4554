import { api } from './http';
import { clearSession, setSession, type SessionUser } from './session-store';

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
