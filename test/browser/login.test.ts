import { expect } from 'chai';
import type { Browser } from 'playwright-core';
import { ApiClient } from '../support/api-client.js';
import { launchChromium, newDesk, screenshot, signIn } from '../support/browser.js';
import { ADMIN, startServer, type ServerHandle } from '../support/server-process.js';
import { testDatabaseUrl, testDbKind, type TestDatabaseUrl } from '../support/test-database.js';

/** The workspace is served by the server itself at `/`, and sign-in works for every role. */
describe(`workspace: served at / and signed into (${testDbKind()})`, function () {
  this.timeout(60_000);
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
    server = await startServer({}, { databaseUrl: database.url });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    await database?.cleanup();
  });

  it('the login page is the app at / with labelled fields, and a wrong password is said in the page', async () => {
    const { context, page, errors } = await newDesk(chrome(), base());
    try {
      const res = await page.goto('/');
      expect(res?.status()).to.equal(200);
      await page.waitForURL('**/login');
      await page.getByLabel('用户名').fill(ADMIN.username);
      await page.getByLabel('密码').fill('wrong-password');
      await page.getByRole('button', { name: '登录' }).click();
      expect(await page.getByRole('alert').textContent({ timeout: 5000 })).to.include('用户名或密码错误');
      await screenshot(page, '00-login-refused');
      expect(errors.filter((e) => !e.includes('401'))).to.deep.equal([]);
    } finally {
      await context.close();
    }
  });

  it('an admin signs in, reaches the admin pages, reloads without signing in again, and 退出 signs out', async () => {
    const { context, page, errors } = await newDesk(chrome(), base());
    try {
      await signIn(page, ADMIN.username, ADMIN.password);
      expect(new URL(page.url()).pathname).to.equal('/admin/users');
      await page.reload();
      expect(new URL(page.url()).pathname).to.equal('/admin/users');
      await screenshot(page, '01-admin-home');
      await page.getByRole('button', { name: '退出' }).click();
      // The login page itself, not "your session expired" (requests in flight at sign-out are not that).
      await page.waitForURL((url) => url.pathname === '/login' && url.search === '');
      // The token is revoked on the server, not only forgotten by the page.
      const token = await page.evaluate('sessionStorage.getItem("hotline.session")');
      expect(token).to.equal(null);
      expect(errors).to.deep.equal([]);
    } finally {
      await context.close();
    }
  });

  it('a deep link to an app page is served the app (SPA fallback) and leads through the login back to it', async () => {
    const admin = await ApiClient.login(base(), ADMIN.username, ADMIN.password);
    expect((await admin.get('/api/v1/auth/me')).status).to.equal(200);
    const { context, page } = await newDesk(chrome(), base());
    try {
      const res = await page.goto('/admin/units');
      expect(res?.status()).to.equal(200);
      await page.waitForURL((url) => url.pathname === '/login' && url.searchParams.get('next') === '/admin/units');
      await page.getByLabel('用户名').fill(ADMIN.username);
      await page.getByLabel('密码').fill(ADMIN.password);
      await page.getByRole('button', { name: '登录' }).click();
      await page.waitForURL('**/admin/units');
    } finally {
      await context.close();
    }
  });

  it('a ?next= naming another host (/\\evil.example, /<tab>/evil.example) is not followed: the start page of the role instead', async () => {
    for (const next of ['/\\evil.example/x', '/\t/evil.example/x', '//evil.example/x']) {
      const { context, page } = await newDesk(chrome(), base());
      try {
        await page.goto(`/login?next=${encodeURIComponent(next)}`);
        await page.getByLabel('用户名').fill(ADMIN.username);
        await page.getByLabel('密码').fill(ADMIN.password);
        await page.getByRole('button', { name: '登录' }).click();
        await page.waitForURL((url) => url.pathname === '/admin/users', { timeout: 10_000 });
        expect(new URL(page.url()).origin, JSON.stringify(next)).to.equal(base());
      } finally {
        await context.close();
      }
    }
  });

  it('a session that ended (401) goes to the login page saying so, and back to the page it was on after signing in', async () => {
    const { context, page } = await newDesk(chrome(), base());
    try {
      await signIn(page, ADMIN.username, ADMIN.password);
      await page.goto('/admin/units?tab=all');
      await page.getByRole('heading').first().waitFor();
      // The token ends on the server (signed out elsewhere); the page learns it at its next request.
      const token = (JSON.parse(String(await page.evaluate('sessionStorage.getItem("hotline.session")'))) as { token: string }).token;
      const out = await fetch(`${base()}/api/v1/auth/logout`, { method: 'POST', headers: { Authorization: `Bearer ${token}` } });
      expect(out.status).to.equal(204);
      await page.reload();
      await page.waitForURL((url) => url.pathname === '/login' && url.searchParams.get('expired') === '1' && url.searchParams.get('next') === '/admin/units?tab=all', { timeout: 10_000 });
      await page.getByText('登录已失效，请重新登录').waitFor();
      await page.getByLabel('用户名').fill(ADMIN.username);
      await page.getByLabel('密码').fill(ADMIN.password);
      await page.getByRole('button', { name: '登录' }).click();
      await page.waitForURL((url) => url.pathname === '/admin/units' && url.search === '?tab=all', { timeout: 10_000 });
    } finally {
      await context.close();
    }
  });
});
