import { expect } from 'chai';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RequestHandler } from 'express';
import { Registry } from 'prom-client';
import type { AuthUser } from '../../../src/api/auth-context.js';
import { createCategoryRoutes } from '../../../src/api/categories.routes.js';
import { createHttpServer, type WebServer } from '../../../src/api/http-server.js';
import { createSurveyRoutes } from '../../../src/api/surveys.routes.js';
import { createTicketRoutes } from '../../../src/api/tickets.routes.js';
import { createUnitRoutes } from '../../../src/api/units.routes.js';
import { silentLogger } from '../../../src/logging/logger.js';
import { MemoryCallRecords } from '../../support/memory-call-records.js';

/** A service whose every method fails the test: a refused parameter must never reach it. */
function untouchable(name: string): never {
  return new Proxy(
    {},
    {
      get: (_t, prop) => () => {
        throw new Error(`${name}.${String(prop)} was called with a bad parameter`);
      },
    },
  ) as never;
}

/** Signed in as the role the request names in `x-role` (admin by default). */
const signedInByHeader: RequestHandler = (req, res, next) => {
  const role = (req.headers['x-role'] as AuthUser['role'] | undefined) ?? 'admin';
  res.locals.user = { id: 1, username: `test-${role}`, role } satisfies AuthUser;
  next();
};

describe('path parameters', () => {
  let server: WebServer | undefined;
  let base = '';
  let recordings = '';
  const repo = new MemoryCallRecords();

  before(async () => {
    recordings = mkdtempSync(join(tmpdir(), 'recordings-'));
    server = await createHttpServer({
      callRecords: repo,
      recordingsDir: recordings,
      health: () => Promise.resolve({ sip: true, database: true }),
      metrics: new Registry(),
      logger: silentLogger(),
      apiMiddleware: [signedInByHeader],
      apiRoutes: [
        createTicketRoutes({ tickets: untouchable('tickets') }),
        createUnitRoutes({ units: untouchable('units') }),
        createCategoryRoutes({ categories: untouchable('categories') }),
        createSurveyRoutes({ tickets: untouchable('tickets'), preview: untouchable('preview'), skillsOf: () => Promise.resolve(['callback']) }),
      ],
    }).startWebServer({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${server.port}/api/v1`;
  });

  after(async () => {
    await server?.close();
  });

  // A bare `..` segment is resolved by any URL parser before it is sent (RFC 3986 §5.2.4): `..` inside a value is what reaches us.
  const bad = ['x%00.wav', 'x..y', '..%2F..%2Fetc', 'a%2F..%2F..%2Fetc%2Fpasswd', '%E4%B8%AD', 'x'.repeat(300)];
  const routes: readonly [method: string, path: (v: string) => string, param: string, role: string][] = [
    ['GET', (v) => `/calls/${v}/recording`, 'callId', 'supervisor'],
    ['GET', (v) => `/tickets/${v}`, 'code', 'agent'],
    ['POST', (v) => `/tickets/${v}/actions/dispatch`, 'code', 'agent'],
    ['POST', (v) => `/tickets/${v}/actions/sign`, 'code', 'unit'],
    ['POST', (v) => `/surveys/${v}/result`, 'code', 'supervisor'],
    ['GET', (v) => `/units/${v}`, 'id', 'admin'],
    ['PATCH', (v) => `/units/${v}`, 'id', 'admin'],
    ['GET', (v) => `/categories/${v}`, 'id', 'admin'],
    ['PATCH', (v) => `/categories/${v}`, 'id', 'admin'],
    ['POST', (v) => `/callbacks/${v}/done`, 'id', 'supervisor'],
  ];
  for (const [method, path, param, role] of routes) {
    it(`when ${method} ${path(':' + param)} gets a NUL, "..", "/", a foreign character or 300 characters, it answers 400 naming ${param}`, async () => {
      const values = param === 'id' ? [...bad, '0', '-1', '1e3', '99999999999'] : bad;
      for (const value of values) {
        const res = await fetch(`${base}${path(value)}`, { method, headers: { 'x-role': role, 'content-type': 'application/json' }, body: method === 'GET' ? null : '{}' });
        const body = (await res.json()) as { error?: { code: string; issues?: { path: string }[] } };
        expect(res.status, `${method} ${path(value).slice(0, 60)}`).to.equal(400);
        expect(body.error?.code).to.equal('VALIDATION_FAILED');
        expect([...new Set(body.error?.issues?.map((i) => i.path))]).to.deep.equal([param]);
      }
    });
  }

  it('when a path parameter is not valid percent-encoding (%ZZ, a cut UTF-8 sequence), it answers 400, not 500', async () => {
    for (const value of ['abc%ZZ', 'x%E0%A4%A', '%']) {
      const res = await fetch(`${base}/calls/${value}/recording`, { headers: { 'x-role': 'supervisor' } });
      const body = (await res.json()) as { error?: { code: string } };
      expect(res.status, value).to.equal(400);
      expect(body.error?.code).to.equal('BAD_REQUEST');
    }
  });

  it('when a reused Call-ID is asked for as stored (<Call-ID>#<record key>), its recording is served', async () => {
    mkdirSync(join(recordings, '2026-11-21'), { recursive: true });
    const file = join(recordings, '2026-11-21', 'second.wav');
    writeFileSync(file, 'RIFF2');
    const callId = 'a84b4c76e66710@pc33.example#3f2a9c1e-0b7d-4c55-9d0e-2b1f6a7c8d90';
    await repo.create({ callId, direction: 'inbound', from: '13800138000', to: '12345', startedAt: new Date() });
    await repo.update(callId, { recordingPath: file });
    const res = await fetch(`${base}/calls/${encodeURIComponent(callId)}/recording`, { headers: { 'x-role': 'supervisor' } });
    expect(res.status).to.equal(200);
    expect(await res.text()).to.equal('RIFF2');
  });

  it('when a call record points outside RECORDINGS_DIR (a path or a symbolic link), the file is not served', async () => {
    const outside = mkdtempSync(join(tmpdir(), 'secret-'));
    const secret = join(outside, 'secret.wav');
    writeFileSync(secret, 'SECRET');
    mkdirSync(join(recordings, '2026-11-20'), { recursive: true });
    const inside = join(recordings, '2026-11-20', 'ok.wav');
    writeFileSync(inside, 'RIFF');
    symlinkSync(secret, join(recordings, '2026-11-20', 'link.wav'));
    const cases: Record<string, string> = { ok: inside, direct: secret, dotdot: join(recordings, '..', outside.split('/').pop() ?? '', 'secret.wav'), link: join(recordings, '2026-11-20', 'link.wav') };
    for (const [callId, recordingPath] of Object.entries(cases)) {
      await repo.create({ callId, direction: 'inbound', from: '13800138000', to: '12345', startedAt: new Date() });
      await repo.update(callId, { recordingPath });
    }
    const ok = await fetch(`${base}/calls/ok/recording`, { headers: { 'x-role': 'supervisor' } });
    expect(ok.status).to.equal(200);
    expect(await ok.text()).to.equal('RIFF');
    for (const callId of ['direct', 'dotdot', 'link']) {
      const res = await fetch(`${base}/calls/${callId}/recording`, { headers: { 'x-role': 'supervisor' } });
      const text = await res.text();
      expect(res.status, callId).to.equal(404);
      expect(text).to.not.include('SECRET');
    }
  });
});
