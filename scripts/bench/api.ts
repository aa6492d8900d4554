/**
 * The server's REST API as the benchmark uses it: call records, read with the bearer token of the
 * first admin when the server asks for one (POST /api/v1/auth/login with ADMIN_USER/ADMIN_PASSWORD).
 */
import { randomBytes } from 'node:crypto';

/** Credentials of the first admin the benchmark's servers are started with. */
export const BENCH_ADMIN = { username: 'bench-admin', password: `bench-${randomBytes(9).toString('hex')}` } as const;

/** The fields of a call record the benchmark checks. */
export interface CallRow {
  callId: string;
  endedAt: string | null;
  endReason: string | null;
  hungUpBy: string | null;
}

export class BenchApi {
  private token: string | undefined;

  constructor(private readonly baseUrl: string) {}

  private async login(timeoutMs: number): Promise<string> {
    const res = await fetch(`${this.baseUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(BENCH_ADMIN),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const body = (await res.json()) as { token?: unknown };
    if (!res.ok || typeof body.token !== 'string') throw new Error(`POST /api/v1/auth/login → ${res.status}`);
    this.token = body.token;
    return body.token;
  }

  /** GET `urlPath` as JSON; signs in once on a 401. */
  async get(urlPath: string, timeoutMs: number): Promise<unknown> {
    for (let attempt = 0; attempt < 2; attempt++) {
      const headers: Record<string, string> = this.token === undefined ? {} : { authorization: `Bearer ${this.token}` };
      const res = await fetch(`${this.baseUrl}${urlPath}`, { headers, signal: AbortSignal.timeout(timeoutMs) });
      if (res.status === 401 && attempt === 0) {
        await this.login(timeoutMs);
        continue;
      }
      if (!res.ok) throw new Error(`GET ${urlPath} → ${res.status}`);
      return res.json();
    }
    throw new Error(`GET ${urlPath}: still 401 after signing in`);
  }

  /** Total count of call records. */
  async callTotal(timeoutMs: number): Promise<number> {
    const body = (await this.get('/api/v1/calls?limit=1', timeoutMs)) as { total?: unknown };
    if (typeof body.total !== 'number') throw new Error('GET /api/v1/calls: no total');
    return body.total;
  }

  /** Every call record, newest first (at most `maxPages` pages of 500). */
  async allCalls(timeoutMs: number, maxPages = 20): Promise<CallRow[]> {
    const items: CallRow[] = [];
    for (let page = 0; page < maxPages; page++) {
      const body = (await this.get(`/api/v1/calls?limit=500&offset=${page * 500}`, timeoutMs)) as { items?: CallRow[] };
      const got = body.items ?? [];
      items.push(...got);
      if (got.length < 500) break;
    }
    return items;
  }
}
