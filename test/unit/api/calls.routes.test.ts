import { signedInAs } from '../../support/signed-in-as.js';
import { expect } from 'chai';
import { Registry } from 'prom-client';
import sinon from 'sinon';
import { createHttpServer, type WebServer } from '../../../src/api/http-server.js';
import { silentLogger } from '../../../src/logging/logger.js';
import { MemoryCallRecords as FakeCallRecordRepository } from '../../support/memory-call-records.js';

describe('GET /api/v1/calls', () => {
  let server: WebServer;
  let base: string;
  let repo: FakeCallRecordRepository;

  beforeEach(async () => {
    repo = new FakeCallRecordRepository();
    server = await createHttpServer({
      callRecords: repo,
      health: () => Promise.resolve({ sip: true, database: true }),
      metrics: new Registry(),
      logger: silentLogger(),
      apiMiddleware: [signedInAs('supervisor')],
    }).startWebServer({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${server.port}/api/v1/calls`;
  });

  afterEach(async () => {
    sinon.restore();
    await server.close();
  });

  async function seed(n: number): Promise<void> {
    const t0 = Date.parse('2024-05-01T00:00:00.000Z');
    for (let i = 0; i < n; i++) {
      await repo.create({ callId: `c${String(i).padStart(3, '0')}`, direction: 'inbound', from: '13812345678', to: '12345', startedAt: new Date(t0 + i * 1000) });
    }
  }

  it('when calls are stored, it lists them newest first with exactly the CallRecord fields', async () => {
    await seed(2);
    await repo.update('c001', {
      answeredAt: new Date('2024-05-01T00:00:01.250Z'),
      endedAt: new Date('2024-05-01T00:01:00.000Z'),
      endReason: 'hangup',
      hungUpBy: 'caller',
      digits: '2',
      ivrPath: 'welcome,main-menu',
    });
    const res = await fetch(base);
    expect(res.status).to.equal(200);
    const body = (await res.json()) as { items: Record<string, unknown>[]; total: number; limit: number; offset: number };
    expect(body).to.include({ total: 2, limit: 50, offset: 0 });
    expect(body.items[0]).to.deep.equal({
      callId: 'c001',
      direction: 'inbound',
      from: '13812345678',
      to: '12345',
      startedAt: '2024-05-01T00:00:01.000Z',
      answeredAt: '2024-05-01T00:00:01.250Z',
      endedAt: '2024-05-01T00:01:00.000Z',
      endReason: 'hangup',
      hungUpBy: 'caller',
      digits: '2',
      ivrPath: 'welcome,main-menu',
      queue: null,
      queuedAt: null,
      agentId: null,
      agentExtension: null,
      agentAnsweredAt: null,
      hasRecording: false,
      recordingExpiredAt: null,
      truncated: false,
      ivrFlow: null,
      ivrOutcome: null,
      ivrSelfServed: false,
      ivrSpoken: null,
    });
    expect(body.items[1]).to.include({ callId: 'c000', answeredAt: null, endedAt: null, endReason: null, hungUpBy: null, digits: '' });
  });

  it('when limit and offset are given, it pages and echoes them', async () => {
    await seed(5);
    const res = await fetch(`${base}?limit=2&offset=2`);
    const body = (await res.json()) as { items: { callId: string }[]; total: number; limit: number; offset: number };
    expect(body.items.map((c) => c.callId)).to.deep.equal(['c002', 'c001']);
    expect(body).to.include({ total: 5, limit: 2, offset: 2 });
  });

  it('when no limit is given, it passes 50 to the repository; 500 is the most allowed', async () => {
    const list = sinon.spy(repo, 'list');
    await fetch(base);
    expect(list.firstCall.args[0]).to.deep.equal({ limit: 50, offset: 0 });
    expect((await fetch(`${base}?limit=500`)).status).to.equal(200);
    expect((await fetch(`${base}?limit=501`)).status).to.equal(400);
  });

  it('when limit is not a number, it answers 400 VALIDATION_FAILED naming limit', async () => {
    const res = await fetch(`${base}?limit=abc`);
    expect(res.status).to.equal(400);
    const body = (await res.json()) as { error: { code: string; message: string; issues: { path: string; message: string }[] } };
    expect(body.error.code).to.equal('VALIDATION_FAILED');
    expect(body.error.message).to.contain('limit');
    expect(body.error.issues).to.deep.equal([{ path: 'limit', message: 'must be a whole number' }]);
  });

  it('when offset is negative or limit is 0, it names each bad field', async () => {
    const res = await fetch(`${base}?limit=0&offset=-1`);
    expect(res.status).to.equal(400);
    const body = (await res.json()) as { error: { issues: { path: string }[] } };
    expect(body.error.issues.map((i) => i.path)).to.deep.equal(['limit', 'offset']);
  });

  it('when limit is repeated, it refuses it', async () => {
    const res = await fetch(`${base}?limit=1&limit=2`);
    expect(res.status).to.equal(400);
  });
});
