import { expect } from 'chai';
import { ApiClient } from '../support/api-client.js';
import { ADMIN, startServer, type ServerHandle } from '../support/server-process.js';
import { testDatabaseUrl, testDbKind, type TestDatabaseUrl } from '../support/test-database.js';
import type { ArticleJson, RevisionListJson, SearchResultJson } from '../../src/shared/wire/knowledge.js';

interface ErrorBody {
  error: { code: string; message: string; issues?: { path: string; message: string }[] };
}

/**
 * The knowledge base over HTTP (issue 12): a supervisor writes, an agent searches and reads, answers
 * a consultation on the call (直办) with the article linked; roles and bad input are refused clearly.
 */
describe(`knowledge base over HTTP (${testDbKind()})`, function () {
  this.timeout(60_000);
  let server: ServerHandle;
  let database: TestDatabaseUrl;
  let admin: ApiClient;
  let supervisor: ApiClient;
  let agent: ApiClient;
  let unitUser: ApiClient;
  let stopWaterCategory: number;

  before(async () => {
    database = await testDatabaseUrl();
    server = await startServer({}, { databaseUrl: database.url });
    admin = await ApiClient.login(server.baseUrl, ADMIN.username, ADMIN.password);
    expect((await admin.post('/api/v1/users', { username: 'kb-boss', password: 'boss-password-1', role: 'supervisor', displayName: '班长' })).status).to.equal(201);
    expect((await admin.post('/api/v1/agents', { username: 'kb-agent', password: 'agent-password-1', extension: '8101', skills: ['general'] })).status).to.equal(201);
    const units = (await admin.get('/api/v1/units')).body as { items: { id: number }[] };
    expect((await admin.post('/api/v1/users', { username: 'kb-unit', password: 'unit-password-1', role: 'unit', unitId: units.items[0]?.id })).status).to.equal(201);
    supervisor = await ApiClient.login(server.baseUrl, 'kb-boss', 'boss-password-1');
    agent = await ApiClient.login(server.baseUrl, 'kb-agent', 'agent-password-1');
    unitUser = await ApiClient.login(server.baseUrl, 'kb-unit', 'unit-password-1');
    const tree = JSON.stringify((await admin.get('/api/v1/categories')).body);
    stopWaterCategory = Number(/"id":(\d+),[^{}]*"name":"停水"/.exec(tree)?.[1] ?? 0);
    expect(stopWaterCategory).to.be.above(0);
  });

  after(async () => {
    await server.stop();
    await database.cleanup();
  });

  it('when a supervisor publishes an article, an agent finds it by a two-character word and reads it; the answer names the terms', async () => {
    const created = await supervisor.post('/api/v1/knowledge/articles', {
      title: '计划停水期间如何取水',
      body: '计划停水期间，供水集团在小区门口设临时供水点；停水超过24小时可拨打供水热线申请送水车。',
      status: 'published',
      tags: ['停水', '送水'],
      categoryIds: [stopWaterCategory],
    });
    expect(created.status).to.equal(201);
    const article = created.body as ArticleJson;
    expect(created.raw.headers.get('location')).to.equal(`/api/v1/knowledge/articles/${article.id}`);

    const search = await agent.get(`/api/v1/knowledge/search?q=${encodeURIComponent('停水')}`);
    expect(search.status).to.equal(200);
    const result = search.body as SearchResultJson;
    expect(result.terms).to.deep.equal(['停水']);
    expect(result.items[0]?.id).to.equal(article.id);
    expect(result.items[0]?.snippet).to.contain('停水');

    const read = await agent.get(`/api/v1/knowledge/articles/${article.id}`);
    expect((read.body as ArticleJson).body).to.contain('送水车');
  });

  it('when an agent answers on the call (直办) from an article, the order closes with the article linked; a missing article is refused naming articleIds.0', async () => {
    const article = (await supervisor.post('/api/v1/knowledge/articles', { title: '停水原因查询', body: '可通过供水集团公众号查询停水原因和恢复时间。', status: 'published' })).body as ArticleJson;
    const form = { requestType: 'consult', categoryId: stopWaterCategory, content: '咨询小区今天为什么停水，什么时候恢复', residentPhone: '13900001234', answeredOnCall: true, answer: '已告知可通过供水集团公众号查询停水原因和恢复时间' };
    const created = await agent.post('/api/v1/tickets', { ...form, articleIds: [article.id] });
    expect(created.status).to.equal(201);
    const ticket = created.body as { state: string; answeredOnCall: boolean; events: { type: string; data: Record<string, unknown> }[] };
    expect(ticket.state).to.equal('closed');
    expect(ticket.answeredOnCall).to.equal(true);
    expect(ticket.events.find((e) => e.type === 'created')?.data.articleIds).to.deep.equal([article.id]);

    const refused = await agent.post('/api/v1/tickets', { ...form, articleIds: [987_654] });
    expect(refused.status).to.equal(400);
    expect((refused.body as ErrorBody).error.issues?.map((i) => i.path)).to.deep.equal(['articleIds.0']);
  });

  it('when an agent or a unit user tries to write, it is 403; a draft stays hidden from them (404) and out of their search', async () => {
    expect((await agent.post('/api/v1/knowledge/articles', { title: '越权', body: '不应保存' })).status).to.equal(403);
    expect((await unitUser.post('/api/v1/knowledge/articles', { title: '越权', body: '不应保存' })).status).to.equal(403);
    const draft = (await supervisor.post('/api/v1/knowledge/articles', { title: '居住证续签草稿', body: '居住证有效期一年，期满前三十日内续签。' })).body as ArticleJson;
    expect(draft.status).to.equal('draft');
    expect((await agent.get(`/api/v1/knowledge/articles/${draft.id}`)).status).to.equal(404);
    expect((await unitUser.get(`/api/v1/knowledge/search?q=${encodeURIComponent('居住证')}`)).body).to.include({ query: '居住证' });
    expect(((await agent.get(`/api/v1/knowledge/search?q=${encodeURIComponent('居住证')}`)).body as SearchResultJson).items).to.have.length(0);
    expect((await agent.get(`/api/v1/knowledge/articles/${draft.id}/history`)).status).to.equal(403);
    expect((await supervisor.get(`/api/v1/knowledge/articles/${draft.id}`)).status).to.equal(200);
  });

  it('when a supervisor edits and archives, the history keeps each version with who, when and what; a stale version is 409', async () => {
    const first = (await supervisor.post('/api/v1/knowledge/articles', { title: '供暖开始时间', body: '每年11月15日开始供暖。', status: 'published' })).body as ArticleJson;
    const edited = await supervisor.request('PATCH', `/api/v1/knowledge/articles/${first.id}`, { version: 1, body: '每年11月15日开始供暖，遇寒潮可提前。' });
    expect(edited.status).to.equal(200);
    expect((edited.body as ArticleJson).version).to.equal(2);
    const stale = await admin.request('PATCH', `/api/v1/knowledge/articles/${first.id}`, { version: 1, title: '旧版本覆盖' });
    expect(stale.status).to.equal(409);
    expect((stale.body as ErrorBody).error.code).to.equal('VERSION_CONFLICT');
    expect((await admin.post(`/api/v1/knowledge/articles/${first.id}/archive`, { version: 2 })).status).to.equal(200);

    const history = (await supervisor.get(`/api/v1/knowledge/articles/${first.id}/history`)).body as RevisionListJson;
    expect(history.items.map((r) => [r.version, r.action, r.changed])).to.deep.equal([
      [3, 'archived', ['status']],
      [2, 'edited', ['body']],
      [1, 'created', ['kind', 'title', 'body', 'status', 'categoryIds', 'unitIds', 'tags', 'validFrom', 'validTo']],
    ]);
    expect(history.items[2]?.body).to.equal('每年11月15日开始供暖。');
    expect(history.items.map((r) => r.editedByName)).to.deep.equal(['admin', '班长', '班长']);
    expect(((await agent.get(`/api/v1/knowledge/search?q=${encodeURIComponent('供暖')}`)).body as SearchResultJson).items.map((i) => i.id)).to.not.include(first.id);
  });

  it('when the input is bad, the 400 names the field', async () => {
    const missing = await supervisor.post('/api/v1/knowledge/articles', { body: '只有正文' });
    expect((missing.body as ErrorBody).error.issues?.map((i) => i.path)).to.deep.equal(['title']);
    const notice = await supervisor.post('/api/v1/knowledge/articles', { kind: 'notice', title: '停电通知', body: '明日检修停电', validFrom: '2026-12-03T08:00:00+08:00' });
    expect(notice.status).to.equal(400);
    expect((notice.body as ErrorBody).error.issues?.map((i) => i.path)).to.deep.equal(['validTo']);
    const badDate = await supervisor.post('/api/v1/knowledge/articles', { title: '日期', body: '内容内容', validTo: '明天' });
    expect((badDate.body as ErrorBody).error.issues?.map((i) => i.path)).to.deep.equal(['validTo']);
    const unknown = await supervisor.post('/api/v1/knowledge/articles', { title: '字段', body: '内容内容', author: 'x' });
    expect((unknown.body as ErrorBody).error.issues?.[0]?.message).to.contain('author');
    const noQuery = await agent.get('/api/v1/knowledge/search');
    expect(noQuery.status).to.equal(400);
    expect((noQuery.body as ErrorBody).error.issues?.map((i) => i.path)).to.deep.equal(['q']);
    const longQuery = await agent.get(`/api/v1/knowledge/search?q=${'长'.repeat(201)}`);
    expect((longQuery.body as ErrorBody).error.issues?.map((i) => i.path)).to.deep.equal(['q']);
    expect((await agent.get('/api/v1/knowledge/articles/abc')).status).to.equal(400);
    expect((await new ApiClient(server.baseUrl).get('/api/v1/knowledge/search?q=x')).status).to.equal(401);
  });
});
