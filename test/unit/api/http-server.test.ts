import { signedInAs } from '../../support/signed-in-as.js';
import { expect } from 'chai';
import { Registry } from 'prom-client';
import sinon from 'sinon';
import { CallTelemetry } from '../../../src/api/call-telemetry.js';
import { createHttpServer, type HttpServerDeps, type WebServer } from '../../../src/api/http-server.js';
import { silentLogger } from '../../../src/logging/logger.js';
import { MemoryCallRecords as FakeCallRecordRepository } from '../../support/memory-call-records.js';

interface Started {
  readonly base: string;
  readonly server: WebServer;
  readonly repo: FakeCallRecordRepository;
}

describe('HTTP API', () => {
  let started: Started | undefined;

  async function start(overrides: Partial<HttpServerDeps> = {}): Promise<Started> {
    const repo = new FakeCallRecordRepository();
    const http = createHttpServer({
      callRecords: repo,
      health: () => Promise.resolve({ sip: true, database: true }),
      metrics: new Registry(),
      logger: silentLogger(),
      apiMiddleware: [signedInAs('supervisor')],
      ...overrides,
    });
    const server = await http.startWebServer({ port: 0, host: '127.0.0.1' });
    started = { base: `http://127.0.0.1:${server.port}`, server, repo };
    return started;
  }

  afterEach(async () => {
    sinon.restore();
    await started?.server.close();
    started = undefined;
  });

  describe('GET /healthz', () => {
    it('when SIP and the database are ready, it answers 200 ok', async () => {
      const { base } = await start();
      const res = await fetch(`${base}/healthz`);
      expect(res.status).to.equal(200);
      expect(await res.json()).to.deep.equal({ status: 'ok', sip: true, database: true });
    });

    it('when the database is not ready, it answers 503 naming it', async () => {
      const { base } = await start({ health: () => Promise.resolve({ sip: true, database: false }) });
      const res = await fetch(`${base}/healthz`);
      expect(res.status).to.equal(503);
      expect(await res.json()).to.deep.equal({ status: 'unavailable', sip: true, database: false });
    });

    it('when the health check itself fails, it answers 503', async () => {
      const { base } = await start({ health: () => Promise.reject(new Error('boom')) });
      const res = await fetch(`${base}/healthz`);
      expect(res.status).to.equal(503);
      expect(await res.json()).to.include({ sip: false, database: false });
    });
  });

  describe('GET /metrics', () => {
    it('when scraped, it answers Prometheus text with the call metrics', async () => {
      const metrics = new Registry();
      const telemetry = new CallTelemetry(metrics);
      telemetry.callStarted('inbound');
      telemetry.callAnswered('inbound', 42);
      const { base } = await start({ metrics });
      const res = await fetch(`${base}/metrics`);
      expect(res.status).to.equal(200);
      expect(res.headers.get('content-type')).to.contain('text/plain');
      const text = await res.text();
      expect(text).to.match(/^hotline_active_calls 1$/m);
      expect(text).to.match(/^hotline_answer_latency_seconds_bucket\{le="0.05"\} 1$/m);
      expect(text).to.contain('process_cpu_user_seconds_total');
    });
  });

  describe('errors', () => {
    it('when the route is unknown, it answers 404 JSON', async () => {
      const { base } = await start();
      const res = await fetch(`${base}/nowhere`);
      expect(res.status).to.equal(404);
      expect(res.headers.get('content-type')).to.contain('application/json');
      expect(await res.json()).to.deep.equal({ error: { code: 'NOT_FOUND', message: 'no route for GET /nowhere' } });
    });

    it('when a JSON body is malformed, it answers 400 MALFORMED_JSON', async () => {
      const { base } = await start();
      const res = await fetch(`${base}/api/v1/calls`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":' });
      expect(res.status).to.equal(400);
      expect(await res.json()).to.deep.equal({ error: { code: 'MALFORMED_JSON', message: 'request body is not valid JSON' } });
    });

    it('when the repository fails, it answers 500 with a code and no stack or inner message', async () => {
      const repo = new FakeCallRecordRepository();
      sinon.stub(repo, 'list').rejects(new Error('ECONNRESET at secret-db-host'));
      const { base } = await start({ callRecords: repo });
      const res = await fetch(`${base}/api/v1/calls`);
      expect(res.status).to.equal(500);
      const text = await res.text();
      expect(JSON.parse(text)).to.deep.equal({ error: { code: 'INTERNAL', message: 'internal error' } });
      expect(text).not.to.contain('secret-db-host');
    });

    it('when an /api/v1 middleware is given, it runs before the routes but not before /healthz', async () => {
      const guard = sinon.spy((_req: unknown, res: { status(n: number): { json(b: unknown): void } }) => {
        res.status(401).json({ error: { code: 'UNAUTHORIZED', message: 'no token' } });
      });
      const { base } = await start({ apiMiddleware: [guard] });
      expect((await fetch(`${base}/api/v1/calls`)).status).to.equal(401);
      expect((await fetch(`${base}/healthz`)).status).to.equal(200);
      expect(guard.callCount).to.equal(1);
    });
  });

  describe('close()', () => {
    it('when called twice, it resolves both times and the port stops answering', async () => {
      const { base, server } = await start();
      await fetch(`${base}/healthz`);
      await server.close();
      await server.close();
      started = undefined;
      let failed = false;
      try {
        await fetch(`${base}/healthz`);
      } catch {
        failed = true;
      }
      expect(failed).to.equal(true);
    });
  });
});
