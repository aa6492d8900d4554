import { describe, expect, it } from 'vitest';
import { expiredLoginQuery, safeNext } from '../src/shared/safe-next';

const ORIGIN = 'http://hotline.local:3000';

describe('login ?next= (open redirect)', () => {
  it('keeps a page of this app with its query and hash', () => {
    expect(safeNext('/orders/GD20261120001?tab=trail#reply', ORIGIN)).toBe('/orders/GD20261120001?tab=trail#reply');
    expect(safeNext('/supervisor/reports', ORIGIN)).toBe('/supervisor/reports');
  });

  it('refuses anything the browser reads as another host', () => {
    for (const evil of ['//evil.example', '/\\evil.example', '\\\\evil.example', '/\t/evil.example', '/\n/evil.example', 'https://evil.example/x', 'https:evil.example', 'javascript:alert(1)', `${ORIGIN}.evil.example/`]) {
      expect(safeNext(evil, ORIGIN), JSON.stringify(evil)).toBeUndefined();
    }
    expect(safeNext(undefined, ORIGIN)).toBeUndefined();
    expect(safeNext(['/a'], ORIGIN)).toBeUndefined();
  });

  it('a session that ended sends to the login page with the page to return to', () => {
    expect(expiredLoginQuery({ name: 'order-detail', fullPath: '/orders/GD1?x=1', query: {} })).toEqual({ expired: '1', next: '/orders/GD1?x=1' });
    expect(expiredLoginQuery({ name: 'home', fullPath: '/', query: {} })).toEqual({ expired: '1' });
    expect(expiredLoginQuery({ name: 'login', fullPath: '/login?next=/unit', query: { next: '/unit' } })).toEqual({ expired: '1', next: '/unit' });
    expect(expiredLoginQuery({ name: 'login', fullPath: '/login?next=//evil', query: { next: '//evil.example' } })).toEqual({ expired: '1' });
  });
});
