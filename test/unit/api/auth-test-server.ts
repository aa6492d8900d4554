import { Registry } from 'prom-client';
import { createAgentsRoutes } from '../../../src/api/agents.routes.js';
import { createAuthRoutes } from '../../../src/api/auth.routes.js';
import { createAuthenticate } from '../../../src/api/authenticate.js';
import { createHttpServer, type WebServer } from '../../../src/api/http-server.js';
import { IdentityService } from '../../../src/identity/identity-service.js';
import { silentLogger } from '../../../src/logging/logger.js';
import { FakeClock, InMemorySessionRepository, InMemoryUserRepository } from '../identity/in-memory-identity-repositories.js';
import { MemoryCallRecords } from '../../support/memory-call-records.js';

export interface AuthTestServer {
  readonly base: string;
  readonly server: WebServer;
  readonly service: IdentityService;
  readonly users: InMemoryUserRepository;
  readonly clock: FakeClock;
  /** POST/GET JSON with an optional bearer token; returns status, body and headers. */
  call(method: string, path: string, options?: { token?: string; body?: unknown }): Promise<{ status: number; body: unknown; headers: Headers }>;
  /** Creates a user directly and logs them in; returns the token. */
  tokenFor(input: Parameters<IdentityService['createUser']>[0]): Promise<string>;
}

/** The HTTP server wired as main.ts wires it: login public, then the authenticate middleware, then the rest. */
export async function startAuthTestServer(): Promise<AuthTestServer> {
  const users = new InMemoryUserRepository();
  const clock = new FakeClock();
  const service = new IdentityService({
    users,
    sessions: new InMemorySessionRepository(),
    clock,
    sipRealm: 'hotline12345',
    tokenTtlMs: 12 * 3_600_000,
    logger: silentLogger(),
  });
  const http = createHttpServer({
    callRecords: new MemoryCallRecords(),
    health: () => Promise.resolve({ sip: true, database: true }),
    metrics: new Registry(),
    logger: silentLogger(),
    publicApiRoutes: [createAuthRoutes(service, { timeZone: 'Asia/Shanghai' })],
    apiMiddleware: [createAuthenticate(service)],
    apiRoutes: [createAgentsRoutes(service)],
  });
  const server = await http.startWebServer({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${server.port}`;
  const call: AuthTestServer['call'] = async (method, path, options = {}) => {
    const headers: Record<string, string> = {};
    if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${base}${path}`, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    const text = await res.text();
    return { status: res.status, body: text === '' ? undefined : (JSON.parse(text) as unknown), headers: res.headers };
  };
  const tokenFor: AuthTestServer['tokenFor'] = async (input) => {
    await service.createUser(input);
    return (await service.login(input.username, input.password)).token;
  };
  return { base, server, service, users, clock, call, tokenFor };
}
