import { api } from './http';
import { clearSession, setSession, type SessionUser } from './session-store';

export async function login(username: string, password: string): Promise<SessionUser> {
  const res = await api.post<{ token: string; expiresAt: string; user: SessionUser }>('/auth/login', { username, password });
  setSession(res.token, res.expiresAt, res.user);
  return res.user;
}

export async function logout(): Promise<void> {
  try {
    await api.post('/auth/logout');
  } finally {
    clearSession();
  }
}
