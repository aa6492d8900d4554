import { expect } from 'chai';
import type { Browser } from 'playwright-core';
import { ApiClient } from '../support/api-client.js';
import { launchChromium, newDesk, screenshot, signIn } from '../support/browser.js';
import { ADMIN, startServer, type ServerHandle } from '../support/server-process.js';
import { testDatabaseUrl, testDbKind, type TestDatabaseUrl } from '../support/test-database.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The agent's desk socket lives for the whole session (not only on /agent), and 退出 lands on the plain
 * login page: the server closes /ws/agent with 4401 when the session ends, which must not read as
 * "登录已失效".
 */
describe(`workspace: an agent's desk across pages and 退出 (${testDbKind()})`, function () {
  this.timeout(90_000);
  let server: ServerHandle | undefined;
  let database: TestDatabaseUrl | undefined;
  let browser: Browser | undefined;
  const base = (): string => server?.baseUrl ?? '';
  const chrome = (): Browser => {
    if (browser === undefined) throw new Error('no browser');
    return browser;
  };

  before(async () => {
    database = await testDatabaseUrl();
    server = await startServer({ WS_GRACE_S: '3' }, { databaseUrl: database.url });
    browser = await launchChromium();
    const admin = await ApiClient.login(base(), ADMIN.username, ADMIN.password);
    const res = await admin.post('/api/v1/agents', { username: 'agent8401', password: 'pass-8401-secret', displayName: '话务员周杰', extension: '8401', skills: ['general'] });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    await database?.cleanup();
  });

  it('stays ready on 工单查询 (even after a reload there), and 退出 goes to /login without ?expired', async () => {
    const { context, page, errors } = await newDesk(chrome(), base());
    try {
      await signIn(page, 'agent8401', 'pass-8401-secret');
      expect(new URL(page.url()).pathname).to.equal('/agent');
      await page.locator('[data-test=socket-status]', { hasText: '已连接' }).waitFor({ timeout: 10_000 });
      await page.getByRole('button', { name: '示闲' }).click();
      await page.locator('[data-test=agent-state]', { hasText: '示闲' }).waitFor({ timeout: 5_000 });

      // Another page, reloaded there: the desk socket is opened by the app, not by the desk page.
      await page.goto('/orders');
      await sleep(5000); // WS_GRACE_S is 3: without a desk socket the server would mark the agent not-ready
      await page.goto('/agent');
      await page.locator('[data-test=socket-status]', { hasText: '已连接' }).waitFor({ timeout: 10_000 });
      expect(await page.locator('[data-test=agent-state]').textContent()).to.include('示闲');
      await screenshot(page, '40-agent-still-ready');

      await page.getByRole('button', { name: '退出' }).click();
      await page.waitForURL((url) => url.pathname === '/login', { timeout: 10_000 });
      await sleep(1000); // a 4401 arriving late would still send the page to ?expired=1
      const url = new URL(page.url());
      expect(url.pathname + url.search).to.equal('/login');
      expect(await page.evaluate('sessionStorage.getItem("hotline.session")')).to.equal(null);
      expect(errors.filter((e) => !e.includes('401'))).to.deep.equal([]);
    } finally {
      await context.close();
    }
  });
});
