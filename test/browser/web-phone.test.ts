import { expect } from 'chai';
import type { Browser } from 'playwright-core';
import { ApiClient } from '../support/api-client.js';
import { launchChromium, newDesk, screenshot, signIn } from '../support/browser.js';
import { ADMIN, startServer, type ServerHandle } from '../support/server-process.js';
import { testDatabaseUrl, testDbKind, type TestDatabaseUrl } from '../support/test-database.js';

/**
 * The 网页话机 on the agent desk (issue 11): signed in, the tab registers the agent's extension with
 * JsSIP over ws://<host>/sip using the HA1 the server hands it; a wrong realm's HA1 would read 注册失败.
 */
describe(`workspace: the browser phone registers over WebSocket (${testDbKind()})`, function () {
  this.timeout(90_000);
  let server: ServerHandle | undefined;
  let database: TestDatabaseUrl | undefined;
  let browser: Browser | undefined;
  const base = (): string => server?.baseUrl ?? '';

  before(async () => {
    database = await testDatabaseUrl();
    server = await startServer({ WEBRTC_MEDIA: 'true' }, { databaseUrl: database.url });
    browser = await launchChromium();
    const admin = await ApiClient.login(base(), ADMIN.username, ADMIN.password);
    const res = await admin.post('/api/v1/agents', { username: 'agent8501', password: 'pass-8501-secret', displayName: '话务员吴敏', extension: '8501', skills: ['general'], sipPassword: 'sip-8501-secret' });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    await database?.cleanup();
  });

  it('shows 已注册 after sign-in and no page errors', async () => {
    if (browser === undefined) throw new Error('no browser');
    const { context, page, errors } = await newDesk(browser, base());
    try {
      await signIn(page, 'agent8501', 'pass-8501-secret');
      expect(new URL(page.url()).pathname).to.equal('/agent');
      // Off by default (the desk softphone keeps the extension): no phone panel until the agent turns it on.
      await page.locator('[data-test=web-phone-switch]').waitFor();
      expect(await page.locator('[data-test=phone-registration]').count()).to.equal(0);
      await page.locator('[data-test=web-phone-switch]').click();
      await page.locator('[data-test=phone-registration]', { hasText: '已注册' }).waitFor({ timeout: 15_000 });
      await screenshot(page, '50-web-phone-registered');
      expect(errors).to.deep.equal([]);
    } finally {
      await context.close();
    }
  });
});
