import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { ApiClient } from '../support/api-client.js';
import { startBaresip } from '../support/baresip.js';
import { launchChromium, newDesk, screenshot, signIn } from '../support/browser.js';
import { ADMIN, startServer, type ServerHandle } from '../support/server-process.js';
import { testDatabaseUrl, testDbKind, type TestDatabaseUrl } from '../support/test-database.js';
import { sleep, waitUntil } from '../support/wait.js';

/**
 * The 网页话机 on the agent desk (issue 11): signed in, the tab registers the agent's extension with
 * JsSIP over ws://<host>/sip using the HA1 the server hands it; a wrong realm's HA1 would read 注册失败.
 * Without a choice in the browser it starts by itself unless a desk softphone has the extension.
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

  it('with no desk softphone on the extension, the phone registers by itself at sign-in: 已注册, the hint says why, no page errors', async () => {
    if (browser === undefined) throw new Error('no browser');
    const { context, page, errors } = await newDesk(browser, base());
    try {
      await signIn(page, 'agent8501', 'pass-8501-secret');
      expect(new URL(page.url()).pathname).to.equal('/agent');
      await page.locator('[data-test=phone-registration]', { hasText: '已注册' }).waitFor({ timeout: 15_000 });
      expect(await page.locator('[data-test=web-phone-hint]').textContent()).to.include('没有桌面话机');
      expect(await page.locator('[data-test=web-phone-switch]').getAttribute('class')).to.include('is-checked');
      await screenshot(page, '50-web-phone-registered');
      expect(errors).to.deep.equal([]);

      // Turned off by the agent: unregistered, and remembered by this browser over a reload.
      await page.locator('[data-test=web-phone-switch]').click();
      await page.locator('[data-test=phone-registration]').waitFor({ state: 'detached', timeout: 5000 });
      await page.reload();
      await readyEnabled(page);
      await sleep(1500);
      expect(await page.locator('[data-test=phone-registration]').count()).to.equal(0);
      expect(await page.locator('[data-test=web-phone-switch]').getAttribute('class')).to.not.include('is-checked');
      expect(errors).to.deep.equal([]);
    } finally {
      await context.close();
    }
  });

  it('with a desk softphone registered on the extension, a new browser keeps its phone off and the softphone keeps the extension', async () => {
    if (browser === undefined || server === undefined) throw new Error('no browser');
    const sipPort = server.sipPort;
    const softphone = await startBaresip({ account: { user: '8501', password: 'sip-8501-secret', registrar: `127.0.0.1:${sipPort}`, register: true, answerMode: 'manual' } });
    const { context, page, errors } = await newDesk(browser, base());
    try {
      const deskRegistered = (): boolean => (server?.logs() ?? '').split('\n').some((l) => l.includes('sip: extension registered') && l.includes('"webrtc":false'));
      await waitUntil(deskRegistered, 15_000);
      await signIn(page, 'agent8501', 'pass-8501-secret');
      await readyEnabled(page);
      await sleep(1500);
      expect(await page.locator('[data-test=phone-registration]').count()).to.equal(0);
      expect(await page.locator('[data-test=web-phone-switch]').getAttribute('class')).to.not.include('is-checked');
      expect(await page.locator('[data-test=web-phone-hint]').textContent()).to.include('使用桌面话机');
      await screenshot(page, '51-web-phone-desk-softphone');
      expect(errors).to.deep.equal([]);
    } finally {
      await context.close();
      await softphone.stop();
    }
  });

  it('when a desk softphone takes the extension from the phone the page started by itself, the page leaves it there, also back on the desk from another page', async () => {
    if (browser === undefined || server === undefined) throw new Error('no browser');
    const sipPort = server.sipPort;
    const { context, page, errors } = await newDesk(browser, base());
    let softphone: Awaited<ReturnType<typeof startBaresip>> | undefined;
    try {
      await signIn(page, 'agent8501', 'pass-8501-secret');
      await page.locator('[data-test=phone-registration]', { hasText: '已注册' }).waitFor({ timeout: 15_000 });
      softphone = await startBaresip({ account: { user: '8501', password: 'sip-8501-secret', registrar: `127.0.0.1:${sipPort}`, register: true, answerMode: 'manual' } });
      await page.locator('[data-test=phone-taken-over]').waitFor({ timeout: 15_000 });
      expect(await page.locator('[data-test=web-phone-hint]').textContent()).to.include('已被接管');
      await screenshot(page, '52-web-phone-taken-by-desk-softphone');
      // To 工单查询 and back within the app: the desk page opens again and must not take the extension back.
      const registrationsBefore = browserRegistrations();
      await page.getByRole('menuitem', { name: '工单查询' }).click();
      await page.waitForURL((url) => url.pathname !== '/agent', { timeout: 5000 });
      await page.getByRole('menuitem', { name: '接听工作台' }).click();
      await readyEnabled(page);
      await sleep(1500);
      expect(await page.locator('[data-test=phone-registration]').count()).to.equal(0);
      expect(await page.locator('[data-test=web-phone-switch]').getAttribute('class')).to.not.include('is-checked');
      expect(browserRegistrations(), 'no new browser registration').to.equal(registrationsBefore);
      expect(errors).to.deep.equal([]);
    } finally {
      await context.close();
      await softphone?.stop();
    }
  });

  function browserRegistrations(): number {
    return (server?.logs() ?? '').split('\n').filter((l) => l.includes('sip: extension registered') && l.includes('"webrtc":true')).length;
  }

  async function readyEnabled(page: Page): Promise<void> {
    // 示闲 is enabled once the desk's socket said hello (the page decides about its phone then).
    const ready = page.getByRole('button', { name: '示闲', exact: true });
    await waitUntil(() => ready.isEnabled(), 10_000);
  }
});


