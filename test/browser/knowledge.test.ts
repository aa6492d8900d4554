import { expect } from 'chai';
import type { Browser } from 'playwright-core';
import { ApiClient } from '../support/api-client.js';
import { launchChromium, newDesk, screenshot, signIn } from '../support/browser.js';
import { ADMIN, startServer, type ServerHandle } from '../support/server-process.js';
import { testDatabaseUrl, testDbKind, type TestDatabaseUrl } from '../support/test-database.js';

const TITLE = '计划停水期间如何取水';

/**
 * 知识库 in the workspace (issue 12): on the agent's desk, F6 → 停水 → the article → 引用此条直办 → the
 * order is submitted as answered on the call with the article linked; the supervisor's 知识库 page
 * shows the article with its history.
 */
describe(`workspace: the knowledge base on the agent desk (${testDbKind()})`, function () {
  this.timeout(120_000);
  let server: ServerHandle | undefined;
  let database: TestDatabaseUrl | undefined;
  let browser: Browser | undefined;
  let articleId = 0;
  const base = (): string => server?.baseUrl ?? '';
  const chrome = (): Browser => {
    if (browser === undefined) throw new Error('no browser');
    return browser;
  };

  before(async () => {
    database = await testDatabaseUrl();
    server = await startServer({}, { databaseUrl: database.url });
    browser = await launchChromium();
    const admin = await ApiClient.login(base(), ADMIN.username, ADMIN.password);
    expect((await admin.post('/api/v1/agents', { username: 'agent8501', password: 'pass-8501-secret', displayName: '话务员林芳', extension: '8501', skills: ['general'] })).status).to.equal(201);
    expect((await admin.post('/api/v1/users', { username: 'boss8501', password: 'pass-boss-secret', role: 'supervisor', displayName: '班长王强' })).status).to.equal(201);
    const boss = await ApiClient.login(base(), 'boss8501', 'pass-boss-secret');
    const tree = JSON.stringify((await admin.get('/api/v1/categories')).body);
    const stopWater = Number(/"id":(\d+),[^{}]*"name":"停水"/.exec(tree)?.[1] ?? 0);
    const created = await boss.post('/api/v1/knowledge/articles', {
      title: TITLE,
      body: '计划停水期间，自来水集团在小区门口设临时供水点。停水超过24小时的，可拨打供水热线申请送水车；高层住户请提前储水。',
      status: 'published',
      tags: ['停水', '送水'],
      categoryIds: [stopWater],
    });
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    articleId = (created.body as { id: number }).id;
    await boss.post('/api/v1/knowledge/articles', { title: '燃气表换电池方法', body: '燃气表显示低电量时，打开电池盒更换两节五号电池。', status: 'published' });
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    await database?.cleanup();
  });

  it('agent: F6, 停水, the article beside the form, 引用此条直办, submit: the order is closed as 直办 with the article linked', async () => {
    const { context, page, errors } = await newDesk(chrome(), base());
    try {
      await signIn(page, 'agent8501', 'pass-8501-secret');
      expect(new URL(page.url()).pathname).to.equal('/agent');
      const panel = page.getByRole('region', { name: '知识库' });
      await panel.waitFor({ timeout: 10_000 });
      await page.locator('body').click({ position: { x: 5, y: 5 } });
      await page.keyboard.press('F6');
      const box = panel.getByRole('textbox', { name: '搜索知识库' });
      await page.waitForFunction('document.activeElement !== null && document.activeElement.id === "desk-knowledge-query"', undefined, { timeout: 5_000 });
      await page.keyboard.type('停水');
      const hit = panel.getByRole('button', { name: TITLE });
      await hit.waitFor({ timeout: 10_000 });
      expect(await panel.locator('mark').allTextContents()).to.include('停水');
      expect(await panel.getByRole('button', { name: '燃气表换电池方法' }).count()).to.equal(0);
      expect(await box.inputValue()).to.equal('停水');
      await screenshot(page, '60-knowledge-desk-search');

      await hit.click();
      const opened = panel.locator('[data-test=desk-article]');
      await opened.getByText('送水车', { exact: false }).first().waitFor({ timeout: 10_000 });
      await opened.getByRole('button', { name: '引用此条直办' }).click();

      const form = page.getByRole('region', { name: '工单受理' });
      expect(await form.getByRole('checkbox', { name: '直办（电话中已答复）' }).isChecked()).to.equal(true);
      expect(await form.getByLabel('答复内容', { exact: true }).inputValue()).to.contain(`依据知识库《${TITLE}》`);
      expect(await form.locator('[data-test=linked-articles]').textContent()).to.contain(TITLE);
      expect(await opened.getByRole('button', { name: '已引用' }).isDisabled()).to.equal(true);

      await form.getByLabel('来电号码', { exact: true }).fill('13900008888');
      await page.getByLabel('诉求类别', { exact: true }).focus();
      await page.keyboard.type('停水');
      await page.locator('.category-picker-popper .el-select-dropdown__item', { hasText: '停水' }).first().waitFor({ timeout: 5_000 });
      await page.keyboard.press('Enter');
      await page.locator('[data-test=category-path]', { hasText: '停水' }).waitFor({ timeout: 5_000 });
      await form.getByLabel('诉求内容', { exact: true }).fill('咨询小区明天计划停水期间怎么取水，高层住户怎么办');
      await screenshot(page, '61-knowledge-desk-answer');
      await form.getByRole('button', { name: '提交工单' }).click();
      const done = page.locator('[data-test=order-done]');
      await done.waitFor({ timeout: 10_000 });
      expect(await done.textContent()).to.contain('直办');
      const code = /\d{8}-\d{6}/.exec((await done.textContent()) ?? '')?.[0] ?? '';
      await screenshot(page, '62-knowledge-desk-done');

      const api = await ApiClient.login(base(), 'agent8501', 'pass-8501-secret');
      const order = (await api.get(`/api/v1/tickets/${code}`)).body as { state: string; answeredOnCall: boolean; requestType: string; events: { type: string; data: Record<string, unknown> }[] };
      expect(order).to.include({ state: 'closed', answeredOnCall: true, requestType: 'consult' });
      expect(order.events.find((e) => e.type === 'created')?.data.articleIds).to.deep.equal([articleId]);
      expect(errors).to.deep.equal([]);
    } finally {
      await context.close();
    }
  });

  it('supervisor: 知识库 page edits an article and shows who changed what in its history', async () => {
    const { context, page, errors } = await newDesk(chrome(), base());
    try {
      await signIn(page, 'boss8501', 'pass-boss-secret');
      await page.getByRole('menuitem', { name: '知识库' }).click();
      await page.waitForURL((url) => url.pathname === '/knowledge', { timeout: 10_000 });
      await page.getByRole('textbox', { name: '搜索知识库' }).fill('送水');
      await page.getByRole('button', { name: TITLE }).click();
      await page.getByRole('button', { name: '编辑' }).click();
      await page.getByLabel('标题', { exact: true }).fill(`${TITLE}（2026版）`);
      await page.getByRole('button', { name: '保存' }).click();
      await page.getByRole('status').filter({ hasText: '已保存' }).waitFor({ timeout: 10_000 });
      const history = page.locator('[data-test=article-history]');
      await history.getByText('班长王强').first().waitFor({ timeout: 10_000 });
      expect(await history.textContent()).to.contain('标题');
      await screenshot(page, '63-knowledge-page-history');
      expect(errors).to.deep.equal([]);
    } finally {
      await context.close();
    }
  });
});
