import { expect } from 'chai';
import { Registry } from 'prom-client';
import sinon from 'sinon';
import { createHttpServer, type WebServer } from '../../../src/api/http-server.js';
import { createNoticeRoutes } from '../../../src/api/notices.routes.js';
import type { Role } from '../../../src/api/auth-context.js';
import { silentLogger } from '../../../src/logging/logger.js';
import { NoticeBoard } from '../../../src/notices/notice-board.js';
import type { NewNotice, Notice, NoticeChanges, NoticeDayCount, NoticeRepository } from '../../../src/notices/notice.js';
import type { Clock, Timer } from '../../../src/shared/clock.js';
import type { NoticeJson, NoticeReportJson } from '../../../src/shared/wire/notices.js';
import { signedInAs } from '../../support/signed-in-as.js';
import { MemoryCallRecords } from '../../support/memory-call-records.js';

const NOW = Date.parse('2026-12-03T01:00:00Z');
const clock: Clock = { now: () => NOW, setTimeout: () => ({}) as Timer, clearTimeout: () => undefined };

class Notices implements NoticeRepository {
  rows: Notice[] = [];
  counts: NoticeDayCount[] = [];
  asked: [string, string][] = [];
  create(n: NewNotice, now: number): Promise<Notice> {
    const row: Notice = { ...n, id: this.rows.length + 1, status: 'active', createdAt: now, updatedAt: now, withdrawnAt: null };
    this.rows.push(row);
    return Promise.resolve(row);
  }
  get(id: number): Promise<Notice | undefined> {
    return Promise.resolve(this.rows.find((r) => r.id === id));
  }
  update(id: number, c: NoticeChanges, now: number): Promise<Notice> {
    const row = { ...(this.rows.find((r) => r.id === id) as Notice), ...c, updatedAt: now };
    this.rows = this.rows.map((r) => (r.id === id ? row : r));
    return Promise.resolve(row);
  }
  listCurrent(now: number): Promise<Notice[]> {
    return Promise.resolve(this.rows.filter((r) => r.validTo > now));
  }
  list(): Promise<Notice[]> {
    return Promise.resolve([...this.rows].reverse());
  }
  countsByDay(from: string, to: string): Promise<NoticeDayCount[]> {
    this.asked.push([from, to]);
    return Promise.resolve(this.counts);
  }
}

const WATER = { title: '河东区停水通知', text: '今天八时至十八时停水。', validFrom: '2026-12-03T08:00:00+08:00', validTo: '2026-12-03T18:00:00+08:00' };

describe('notices routes', () => {
  let server: WebServer | undefined;
  let repo: Notices;

  async function start(role: Role): Promise<string> {
    repo = new Notices();
    const board = new NoticeBoard({ notices: repo, clock, logger: silentLogger() });
    await board.start();
    server = await createHttpServer({
      callRecords: new MemoryCallRecords(),
      health: () => Promise.resolve({ sip: true, database: true }),
      metrics: new Registry(),
      logger: silentLogger(),
      apiMiddleware: [signedInAs(role, { id: 42 })],
      apiRoutes: [createNoticeRoutes({ board, counts: repo, clock, timeZone: 'Asia/Shanghai' })],
    }).startWebServer({ port: 0, host: '127.0.0.1' });
    return `http://127.0.0.1:${server.port}/api/v1`;
  }

  const post = (url: string, body: unknown): Promise<Response> => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  afterEach(async () => {
    sinon.restore();
    await server?.close();
    server = undefined;
  });

  it('when a supervisor publishes, it answers 201 with the notice in force, its author and its Location', async () => {
    const base = await start('supervisor');
    const res = await post(`${base}/notices`, WATER);
    expect(res.status).to.equal(201);
    const body = (await res.json()) as NoticeJson;
    expect(body).to.include({ id: 1, title: '河东区停水通知', status: 'active', inForce: true, createdBy: 42, validFrom: '2026-12-03T00:00:00.000Z', withdrawnAt: null });
    expect(res.headers.get('location')).to.equal('/api/v1/notices/1');
  });

  it('when an agent tries to publish or withdraw, it answers 403 and nothing changes; an agent may read the list', async () => {
    const base = await start('agent');
    expect((await post(`${base}/notices`, WATER)).status).to.equal(403);
    expect((await post(`${base}/notices/1/withdraw`, {})).status).to.equal(403);
    expect(repo.rows).to.deep.equal([]);
    expect((await fetch(`${base}/notices`)).status).to.equal(200);
  });

  it('when the body or the path is bad, it answers 400 naming the field; an unknown id is 404', async () => {
    const base = await start('admin');
    const bad = await post(`${base}/notices`, { ...WATER, title: 'x'.repeat(61) });
    expect(bad.status).to.equal(400);
    expect(((await bad.json()) as { error: { issues: { path: string }[] } }).error.issues.map((i) => i.path)).to.deep.equal(['title']);
    expect((await post(`${base}/notices/abc/withdraw`, {})).status).to.equal(400);
    expect((await post(`${base}/notices/99/withdraw`, {})).status).to.equal(404);
  });

  it('when the report is asked for, it gives the counts per day and the totals per notice, pressed first; bad days are 400', async () => {
    const base = await start('supervisor');
    await post(`${base}/notices`, WATER);
    repo.counts = [
      { noticeId: 1, day: '2026-12-02', heard: 3, pressed: 1 },
      { noticeId: 1, day: '2026-12-03', heard: 5, pressed: 4 },
      { noticeId: 7, day: '2026-12-03', heard: 9, pressed: 0 },
    ];
    const res = await fetch(`${base}/reports/notices?from=2026-12-02&to=2026-12-04`);
    const body = (await res.json()) as NoticeReportJson;
    expect(body.notices).to.deep.equal([
      { id: 1, title: '河东区停水通知', heard: 8, pressed: 5 },
      { id: 7, title: '#7', heard: 9, pressed: 0 },
    ]);
    expect(repo.asked.at(-1)).to.deep.equal(['2026-12-02', '2026-12-04']);
    await fetch(`${base}/reports/notices`);
    expect(repo.asked.at(-1), 'today in Shanghai by default').to.deep.equal(['2026-12-03', '2026-12-04']);
    expect((await fetch(`${base}/reports/notices?from=2026-02-30`)).status).to.equal(400);
    expect((await fetch(`${base}/reports/notices?from=2026-12-04&to=2026-12-02`)).status).to.equal(400);
    expect((await fetch(`${base}/reports/notices?from=2024-01-01&to=2026-01-01`)).status).to.equal(400);
  });
});
