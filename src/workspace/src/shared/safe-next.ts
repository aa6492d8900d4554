/**
 * Where the login page may send the user after signing in (`?next=`): only a page of this app. The
 * browser's own URL parser decides, so `/\evil.example`, `/\t/evil.example` or `https:evil.example`
 * (all read as another host) are refused, not just `//…`.
 */
export function safeNext(next: unknown, origin: string = location.origin): string | undefined {
  if (typeof next !== 'string' || next === '') return undefined;
  let url: URL;
  try {
    url = new URL(next, origin);
  } catch {
    return undefined;
  }
  if (url.origin !== origin) return undefined;
  return `${url.pathname}${url.search}${url.hash}`;
}

/**
 * The login page's query when the session ended while on `currentPath`: "expired", and back there
 * after signing in (already on the login page: its own `next` is kept).
 */
export function expiredLoginQuery(current: { readonly name?: unknown; readonly fullPath: string; readonly query: Record<string, unknown> }): Record<string, string> {
  const next = current.name === 'login' ? safeNext(current.query.next) : safeNext(current.fullPath);
  return next === undefined || next === '/' ? { expired: '1' } : { expired: '1', next };
}
