import { expect } from 'chai';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import type { Role } from '../../../src/api/auth-context.js';
import { createHttpServer, type WebServer } from '../../../src/api/http-server.js';
import { silentLogger } from '../../../src/logging/logger.js';
import { MemoryCallRecords } from '../../support/memory-call-records.js';
import { signedInAs } from '../../support/signed-in-as.js';

describe('call list and recording access by role', () => {
  let server: WebServer | undefined;

  const recordings = mkdtempSync(join(tmpdir(), 'rec-'));

  async function start(role: Role): Promise<{ base: string; repo: MemoryCallRecords }> {
    const repo = new MemoryCallRecords();
    server = await createHttpServer({
      callRecords: repo,
      recordingsDir: recordings,
      health: () => Promise.resolve({ sip: true, database: true }),
      metrics: new Registry(),
      logger: silentLogger(),
      apiMiddleware: [signedInAs(role)],
    }).startWebServer({ port: 0, host: '127.0.0.1' });
    return { base: `http://127.0.0.1:${server.port}/api/v1`, repo };
  }

  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('when an agent asks for the call list, it answers 403 naming the roles allowed', async () => {
    const { base } = await start('agent');
    const res = await fetch(`${base}/calls`);
    expect(res.status).to.equal(403);
    expect(((await res.json()) as { error: { message: string } }).error.message).to.match(/supervisor or admin/);
  });

  it('when a supervisor downloads a recording, it gets the WAV; without one it is 404', async () => {
    const { base, repo } = await start('supervisor');
    const file = join(recordings, 'c1.wav');
    writeFileSync(file, Buffer.from('RIFF----WAVEfmt '));
    await repo.create({ callId: 'c1', direction: 'inbound', from: '13800138000', to: '12345', startedAt: new Date() });
    await repo.update('c1', { recordingPath: file });
    await repo.create({ callId: 'c2', direction: 'inbound', from: '13800138000', to: '12345', startedAt: new Date() });
    const res = await fetch(`${base}/calls/c1/recording`);
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.match(/audio\/(x-)?wav/);
    expect(Buffer.from(await res.arrayBuffer()).subarray(0, 4).toString()).to.equal('RIFF');
    expect((await fetch(`${base}/calls/c2/recording`)).status).to.equal(404);
    expect((await fetch(`${base}/calls/nope/recording`)).status).to.equal(404);
    const list = (await (await fetch(`${base}/calls`)).json()) as { items: { callId: string; hasRecording: boolean }[] };
    expect(list.items.find((c) => c.callId === 'c1')?.hasRecording).to.equal(true);
  });

  it('when the retention job deleted a recording, the list says when and the download answers 410 RECORDING_EXPIRED, not 404', async () => {
    const { base, repo } = await start('supervisor');
    await repo.create({ callId: 'old', direction: 'inbound', from: '13800138000', to: '12345', startedAt: new Date('2026-01-01T08:00:00Z') });
    const row = await repo.get('old');
    if (row === undefined) throw new Error('no row');
    repo.rows.set('old', { ...row, recordingPath: join(recordings, '2026-01-01', 'old.wav'), recordingExpiredAt: new Date('2026-07-01T03:07:00Z') });
    const res = await fetch(`${base}/calls/old/recording`);
    expect(res.status).to.equal(410);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).to.equal('RECORDING_EXPIRED');
    expect(body.error.message).to.contain('2026-07-01T03:07:00.000Z');
    const list = (await (await fetch(`${base}/calls`)).json()) as { items: { callId: string; hasRecording: boolean; recordingExpiredAt: string | null }[] };
    expect(list.items.find((c) => c.callId === 'old')).to.include({ hasRecording: false, recordingExpiredAt: '2026-07-01T03:07:00.000Z' });
  });

  it('when an agent asks for a recording, it answers 403', async () => {
    const { base } = await start('agent');
    expect((await fetch(`${base}/calls/c1/recording`)).status).to.equal(403);
  });
});
