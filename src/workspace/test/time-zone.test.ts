import { afterEach, describe, expect, it, vi } from 'vitest';
import { learnTimeZone, login } from '../src/api/auth';
import { clearSession, session, setSession } from '../src/api/session-store';
import { periodOf, refreshedPeriod } from '../src/components/reports/period';
import { formatClock, formatDate, formatDateTime, formatDateTimeSeconds } from '../src/shared/format';

const USER = { id: 1, username: 'boss', role: 'supervisor' as const, displayName: '班长' };

/** The centre's zone as login tells it; the test's process runs in another (UTC or the CI's). */
function signIn(timeZone: string): void {
  setSession('tok', new Date(Date.now() + 3_600_000).toISOString(), USER, timeZone);
}

describe("dates in the centre's zone, not the browser's", () => {
  afterEach(() => {
    clearSession();
  });

  it('formats instants in the zone told at login', () => {
    signIn('Asia/Shanghai');
    expect(formatDateTime('2026-11-20T17:30:00Z')).toBe('2026-11-21 01:30');
    expect(formatDateTimeSeconds('2026-11-20T17:30:05Z')).toBe('2026-11-21 01:30:05');
    expect(formatClock(new Date('2026-11-20T16:00:00Z'))).toBe('00:00:00');
    signIn('America/New_York');
    expect(formatDateTime('2026-11-20T17:30:00Z')).toBe('2026-11-20 12:30');
    expect(formatDate(new Date('2026-11-21T03:00:00Z'))).toBe('2026-11-20');
  });

  it('keeps the zone in the tab (a reload reads it back)', () => {
    signIn('Asia/Shanghai');
    expect(JSON.parse(sessionStorage.getItem('hotline.session') ?? '{}')).toMatchObject({ timeZone: 'Asia/Shanghai' });
    expect(session.timeZone).toBe('Asia/Shanghai');
  });

  it("computes 今日, 本周 and 本月 as the centre's days", () => {
    signIn('Asia/Shanghai');
    // 2026-11-30 17:30 UTC is Tuesday 2026-12-01 01:30 in Shanghai (still Monday 30 November in UTC).
    const now = new Date('2026-11-30T17:30:00Z');
    expect(periodOf('today', now)).toEqual({ preset: 'today', from: '2026-12-01', to: '2026-12-02', last: '2026-12-01' });
    expect(periodOf('week', now)).toMatchObject({ from: '2026-11-30', to: '2026-12-02' });
    expect(periodOf('month', now)).toMatchObject({ from: '2026-12-01', to: '2026-12-02' });
    signIn('America/Los_Angeles');
    // Sunday 2026-11-22 in Los Angeles: the week started on Monday the 16th.
    expect(periodOf('week', new Date('2026-11-23T05:00:00Z'))).toMatchObject({ from: '2026-11-16', to: '2026-11-23' });
  });

  it('刷新 after midnight recomputes 今日, a custom range stays', () => {
    signIn('Asia/Shanghai');
    const before = periodOf('today', new Date('2026-11-20T15:59:00Z'));
    expect(before.from).toBe('2026-11-20');
    expect(refreshedPeriod(before, new Date('2026-11-20T16:01:00Z'))).toMatchObject({ from: '2026-11-21', to: '2026-11-22' });
    const custom = periodOf('custom', new Date(), { first: '2026-11-01', last: '2026-11-05' });
    expect(refreshedPeriod(custom, new Date('2026-12-20T00:00:00Z'))).toBe(custom);
  });
});

describe("learning the centre's zone", () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    clearSession();
  });

  const answer = (body: unknown) => () => Promise.resolve(new Response(JSON.stringify(body), { status: 200, headers: { 'Content-Type': 'application/json' } }));

  it('login keeps the timeZone the server tells', async () => {
    vi.stubGlobal('fetch', answer({ token: 't', expiresAt: new Date(Date.now() + 3_600_000).toISOString(), user: USER, timeZone: 'Asia/Shanghai' }));
    await login('boss', 'pw');
    expect(session.timeZone).toBe('Asia/Shanghai');
    expect(formatDateTime('2026-11-20T17:30:00Z')).toBe('2026-11-21 01:30');
  });

  it('a session kept from before asks /auth/me once', async () => {
    setSession('tok', new Date(Date.now() + 3_600_000).toISOString(), USER);
    const fetch = vi.fn(answer({ user: USER, timeZone: 'Asia/Shanghai' }));
    vi.stubGlobal('fetch', fetch);
    await learnTimeZone();
    await learnTimeZone();
    expect(fetch).toHaveBeenCalledOnce();
    expect(JSON.parse(sessionStorage.getItem('hotline.session') ?? '{}')).toMatchObject({ token: 'tok', timeZone: 'Asia/Shanghai' });
  });
});

describe('session kept in the tab', () => {
  afterEach(() => {
    vi.resetModules();
    sessionStorage.clear();
  });

  it('drops an expired entry from sessionStorage when the app loads', async () => {
    sessionStorage.setItem('hotline.session', JSON.stringify({ token: 'old', expiresAt: '2020-01-01T00:00:00Z', user: USER }));
    vi.resetModules();
    const store = await import('../src/api/session-store');
    expect(store.session.token).toBeUndefined();
    expect(sessionStorage.getItem('hotline.session')).toBeNull();
  });
});
