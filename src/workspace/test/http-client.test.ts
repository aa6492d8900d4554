import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError, errorText, fetchBlob, NetworkError, request, retryAfterSeconds, setUnauthorizedHandler } from '../src/api/http';
import { clearSession, setSession } from '../src/api/session-store';

afterEach(() => {
  vi.unstubAllGlobals();
  setUnauthorizedHandler(() => undefined);
  clearSession();
});

function signIn(): void {
  setSession('tok-1', new Date(Date.now() + 3_600_000).toISOString(), { id: 1, username: 'boss', role: 'supervisor', displayName: '班长' });
}

describe('Retry-After', () => {
  it('reads delay-seconds and an HTTP-date as seconds, and nothing else as a number', () => {
    const now = Date.parse('2026-11-20T08:00:00Z');
    expect(retryAfterSeconds('120', now)).toBe(120);
    expect(retryAfterSeconds('Fri, 20 Nov 2026 08:01:30 GMT', now)).toBe(90);
    expect(retryAfterSeconds('Fri, 20 Nov 2026 07:00:00 GMT', now)).toBe(0);
    expect(retryAfterSeconds('soon', now)).toBeUndefined();
    expect(retryAfterSeconds(null, now)).toBeUndefined();
  });

  it('a 429 with an HTTP-date says how many seconds, never "NaN 秒"', async () => {
    const at = new Date(Date.now() + 30_000).toUTCString();
    vi.stubGlobal('fetch', () => Promise.resolve(new Response(JSON.stringify({ error: { code: 'LOGIN_LOCKED', message: 'locked' } }), { status: 429, headers: { 'Retry-After': at } })));
    const err = await request('POST', '/auth/login', { body: {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(errorText(err)).toMatch(/^尝试次数过多，请稍后再试（(29|30) 秒后再试）$/);
  });
});

describe('fetchBlob (recordings)', () => {
  it('a 401 sends the app to the login page like any request', async () => {
    signIn();
    const ended = vi.fn();
    setUnauthorizedHandler(ended);
    vi.stubGlobal('fetch', () => Promise.resolve(new Response(JSON.stringify({ error: { code: 'UNAUTHORIZED', message: 'token expired or unknown' } }), { status: 401 })));
    const err = await fetchBlob('/calls/c1/recording').catch((e: unknown) => e);
    expect(ended).toHaveBeenCalledOnce();
    expect(err).toBeInstanceOf(ApiError);
    expect(errorText(err)).toBe('登录已失效，请重新登录');
  });

  it('a network failure is a NetworkError with the sentence people read', async () => {
    signIn();
    vi.stubGlobal('fetch', () => Promise.reject(new TypeError('Failed to fetch')));
    const err = await fetchBlob('/calls/c1/recording').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetworkError);
    expect(errorText(err)).toBe('无法连接服务器，请检查网络后重试');
  });
});
