import { expect } from 'chai';
import sinon from 'sinon';
import dgram from 'node:dgram';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig, type Config } from '../../../src/config/config.js';
import { silentLogger } from '../../../src/logging/logger.js';
import { startServer, stopServer } from '../../../src/server.js';
import { freePort, freePortRange, isPortFree } from '../../support/ports.js';
import { RawSipClient } from '../sip/raw-sip-client.js';
import { Registration } from '../sip/sip-peer.js';

/**
 * The real server, in this process, on SQLite in a temp folder: a start that fails halfway must
 * close what it had opened (database, record spool and its lock, media, SIP and HTTP sockets, flow
 * watchers, timers), so the process could exit and a second start in the same process succeeds; a
 * stop closes everything in the drain order, even when one close fails.
 */
describe('startServer and stopServer (the composition root)', function () {
  this.timeout(60_000);
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'hotline-composition-'));
  });

  afterEach(async () => {
    sinon.restore();
    await rm(dir, { recursive: true, force: true });
  });

  async function configFor(env: Record<string, string> = {}): Promise<Config> {
    const rtpMin = await freePortRange(10);
    return loadConfig(
      {
        SIP_LISTEN: '127.0.0.1',
        SIP_PUBLIC_ADDRESS: '127.0.0.1',
        HTTP_LISTEN: '127.0.0.1',
        SIP_PORT: String(await freePort('both')),
        HTTP_PORT: String(await freePort('tcp')),
        RTP_PORT_MIN: String(rtpMin),
        RTP_PORT_MAX: String(rtpMin + 9),
        DATABASE_URL: `sqlite:${path.join(dir, 'hotline.sqlite')}`,
        RECORDINGS_DIR: path.join(dir, 'recordings'),
        RECORD_SPOOL_DIR: path.join(dir, 'spool'),
        SPEECH_CACHE_DIR: path.join(dir, 'speech'),
        SPEECH_PREWARM: 'false',
        ADMIN_PASSWORD: 'admin-unit-secret',
        NODE_ID: 'composition-test',
        DRAIN_TIMEOUT_S: '0',
        // Never due while the test runs.
        SUPERVISION_CRON: '0 0 1 1 *',
        SURVEY_CRON: '0 0 1 1 *',
        ...env,
      },
      path.join(dir, 'no.env'),
    );
  }

  /** Terminal and pipe handles of mocha, and requests that are over within a turn (a file read, a close in progress). */
  const TRANSIENT = new Set(['TTYWrap', 'PipeWrap', 'FSReqCallback', 'FSReqPromise', 'CloseReq']);

  /** What keeps the event loop alive, by kind (sockets, servers, watchers, timers), minus what mocha itself holds. */
  function handles(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const kind of process.getActiveResourcesInfo()) {
      if (TRANSIENT.has(kind)) continue;
      counts[kind] = (counts[kind] ?? 0) + 1;
    }
    return counts;
  }

  /** Lets closed handles leave the active list (their close callbacks run on the next turns). */
  async function settle(): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, 200));
  }

  async function spoolLocks(): Promise<string[]> {
    const files = await readdir(path.join(dir, 'spool')).catch(() => []);
    return files.filter((f) => f.endsWith('.lock'));
  }

  it('when the SIP port is taken, it closes the database and the record spool (lock released), leaves no handle, and a second start in this process succeeds', async () => {
    const config = await configFor();
    await settle();
    const before = handles();
    const squatter = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => squatter.bind(config.SIP_PORT, '127.0.0.1', resolve));
    try {
      const err = await startServer(config, silentLogger()).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err, 'the start should have failed').to.be.instanceOf(Error);
      expect(String(err)).to.include(String(config.SIP_PORT));
    } finally {
      await new Promise<void>((resolve) => squatter.close(resolve));
    }
    await settle();

    expect(await spoolLocks(), 'record spool lock left behind').to.deep.equal([]);
    // SQLite removes the write-ahead log when its last connection closes.
    expect(existsSync(path.join(dir, 'hotline.sqlite-wal')), 'database left open').to.equal(false);
    expect(handles()).to.deep.equal(before);

    // The same spool and database in the same process: refused (RECORD_SPOOL_LOCKED) had the first start left them open.
    const running = await startServer(config, silentLogger());
    try {
      const res = await fetch(`http://127.0.0.1:${running.web.port}/healthz`);
      expect(res.status).to.equal(200);
    } finally {
      await stopServer(running, config, silentLogger());
    }
    await settle();
    expect(await spoolLocks()).to.deep.equal([]);
    expect(handles(), 'a stop leaves no handle either').to.deep.equal(before);
  });

  it('when the survey flow (the last thing opened) is bad, it closes HTTP, SIP, the flows, media, the spool and the database, and rethrows the flow error', async () => {
    const badFlow = path.join(dir, 'survey.yaml');
    await writeFile(badFlow, 'name: survey\nstart: intro\nnodes:\n  intro: { type: play, prompts: [no-such-prompt], next: nowhere }\n');
    const config = await configFor({ SURVEY_FLOW: badFlow });
    await settle();
    const before = handles();

    const err = await startServer(config, silentLogger()).then(
      () => undefined,
      (e: unknown) => e,
    );

    expect(err, 'the start should have failed').to.be.instanceOf(Error);
    expect((err as { code?: string }).code).to.match(/FLOW/);
    expect((err as Error).message).to.include('survey.yaml');
    await settle();
    expect(handles()).to.deep.equal(before);
    expect(await spoolLocks(), 'record spool lock left behind').to.deep.equal([]);
    expect(existsSync(path.join(dir, 'hotline.sqlite-wal')), 'database left open').to.equal(false);
    expect(await isPortFree(config.HTTP_PORT, 'tcp'), 'HTTP port still bound').to.equal(true);
    expect(await isPortFree(config.SIP_PORT, 'both'), 'SIP port still bound').to.equal(true);
  });

  it('when the server runs, a stop closes in the drain order: jobs, sockets, HTTP, board, dispatcher, ACD, flow, SIP, media, spool, database', async () => {
    const config = await configFor();
    const running = await startServer(config, silentLogger());
    try {
      expect(running.closers.pending).to.deep.equal([
        'recording retention job',
        'report reconcile job',
        'survey job',
        'survey flow',
        'supervision job',
        'supervision flow',
        'upgrade guard',
        'sip websocket',
        'wallboard',
        'agent desktops',
        'http server',
        'catalogue speech',
        'live board notices',
        'live board',
        'queue dispatcher',
        'identity listeners',
        'acd',
        'ivr flow',
        'sip',
        'trunks',
        'notice board',
        'notice hit spool',
        'speech',
        'media',
        'record spool',
        'database',
      ]);
    } finally {
      await stopServer(running, config, silentLogger());
    }
  });

  it('when one close fails during a stop, the others still run and the stop rejects naming it', async () => {
    const config = await configFor();
    await settle();
    const before = handles();
    const running = await startServer(config, silentLogger());
    // The media engine really closes (its worker threads end) and then reports a failure.
    const closeMedia = running.media.close.bind(running.media);
    sinon.stub(running.media, 'close').callsFake(async () => {
      await closeMedia();
      throw new Error('media clock stuck');
    });

    const err = await stopServer(running, config, silentLogger()).then(
      () => undefined,
      (e: unknown) => e,
    );

    expect((err as { code?: string } | undefined)?.code).to.equal('SHUTDOWN_INCOMPLETE');
    expect((err as Error).message).to.include('media: media clock stuck');
    // Closed after media: the spool (its lock) and the database.
    expect(await spoolLocks(), 'record spool lock left behind').to.deep.equal([]);
    expect(existsSync(path.join(dir, 'hotline.sqlite-wal')), 'database left open').to.equal(false);
    await settle();
    expect(handles()).to.deep.equal(before);
    expect(await isPortFree(config.SIP_PORT, 'both'), 'SIP port still bound').to.equal(true);
  });

  it('when a callback request is done through the API, or a caller leaves a new one, every agent desktop is sent the open list again', async () => {
    const config = await configFor();
    const running = await startServer(config, silentLogger());
    try {
      const broadcast = sinon.spy(running.desktops, 'broadcastCallbacks');
      const request = await running.durableRecords.acd.createCallbackRequest({ callId: 'composition-cb-1', queue: 'general', callerNumber: '13800138000', requestedAt: new Date() });
      const base = `http://127.0.0.1:${running.web.port}/api/v1`;
      const login = await fetch(`${base}/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: config.ADMIN_USER, password: config.ADMIN_PASSWORD }),
      });
      const { token } = (await login.json()) as { token: string };

      const done = await fetch(`${base}/callbacks/${request.id}/done`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });

      expect(done.status).to.equal(200);
      expect(broadcast.callCount, 'after the API marked it done').to.equal(1);
      running.dispatcher.events.emit('callback', 'composition-cb-2');
      for (let i = 0; i < 50 && broadcast.callCount < 2; i++) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(broadcast.callCount, 'after a caller left a new request').to.equal(2);
    } finally {
      await stopServer(running, config, silentLogger());
    }
  });

  it('when an admin changes an agent over the API, the ACD has its new skills at once, a new SIP password drops its phone’s registration, disabling logs it out', async () => {
    const config = await configFor();
    const running = await startServer(config, silentLogger());
    try {
      const base = `http://127.0.0.1:${running.web.port}/api/v1`;
      const login = await fetch(`${base}/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: config.ADMIN_USER, password: config.ADMIN_PASSWORD }),
      });
      const { token } = (await login.json()) as { token: string };
      const call = async (method: string, path: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> => {
        const res = await fetch(`${base}${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
        return { status: res.status, body: (await res.json().catch(() => ({}))) as Record<string, unknown> };
      };
      const created = await call('POST', '/agents', { username: 'wiring.agent', password: 'agent-pass-1', extension: '8101', skills: ['general'], sipPassword: 'sip-pass-01' });
      expect(created.status).to.equal(201);
      const agentId = String(created.body.id);
      running.acd.login({ agentId, extension: '8101', skills: ['general'] });

      expect((await call('PATCH', `/users/${agentId}`, { skills: ['general', 'complaint'] })).status).to.equal(200);
      expect(running.acd.agent(agentId)?.skills).to.deep.equal(['general', 'complaint']);

      const phone = await RawSipClient.udp(config.SIP_PORT);
      try {
        expect((await new Registration(phone, config.SIP_PORT).register({ user: '8101', password: 'sip-pass-01' })).status).to.equal(200);
        expect(running.telephony.isRegistered('8101')).to.equal(true);
        expect((await call('POST', `/users/${agentId}/sip-password`, { password: 'sip-pass-02' })).status).to.equal(204);
        expect(running.telephony.isRegistered('8101'), 'binding made with the old SIP password').to.equal(false);
        expect((await new Registration(phone, config.SIP_PORT).register({ user: '8101', password: 'sip-pass-02' })).status).to.equal(200);
        expect((await call('PATCH', `/users/${agentId}`, { active: false })).status).to.equal(200);
        expect(running.telephony.isRegistered('8101'), 'binding of a disabled agent').to.equal(false);
        expect(running.acd.agent(agentId)?.state, 'a disabled agent in the ACD').to.equal('logged-out');
      } finally {
        phone.close();
      }

      // A unit user must name a handling unit that exists (the database has none yet).
      const unit = await call('POST', '/users', { username: 'wiring.unit', password: 'unit-pass-1', role: 'unit', unitId: 999 });
      expect(unit.status).to.equal(400);
      expect(unit.body).to.have.nested.property('error.issues[0].path', 'unitId');
    } finally {
      await stopServer(running, config, silentLogger());
    }
  });
});
