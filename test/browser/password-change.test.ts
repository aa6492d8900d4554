import { expect } from 'chai';
import type { Browser } from 'playwright-core';
import { ApiClient, DesktopClient } from '../support/api-client.js';
import { launchChromium, newDesk, screenshot, signIn } from '../support/browser.js';
import { ADMIN, startServer, type ServerHandle } from '../support/server-process.js';
import { testDatabaseUrl, testDbKind, type TestDatabaseUrl } from '../support/test-database.js';

/**
 * Users and secrets in the browser (issue 13): an admin resets an agent's password on 用户与坐席; the
 * agent's next login shows only the change-password page until it chooses its own; the admin sees
 * the agent's sessions and signs it out everywhere (全部下线); the agent changes its password again
 * from the user menu.
 */
describe(`workspace: forced password change after an admin reset, sessions, 修改密码 (${testDbKind()})`, function () {
  this.timeout(120_000);
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
    const admin = await ApiClient.login(base(), ADMIN.username, ADMIN.password);
    const res = await admin.post('/api/v1/agents', { username: 'agent8501', password: 'pass-8501-first', displayName: '话务员孙丽', extension: '8501', skills: ['general'] });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    await database?.cleanup();
  });

  it('when an admin resets the password, the agent must change it before anything else; the admin can then sign it out everywhere', async () => {
    const adminDesk = await newDesk(chrome(), base());
    const agentDesk = await newDesk(chrome(), base());
    try {
      // The admin resets the agent's login password by hand.
      const a = adminDesk.page;
      await signIn(a, ADMIN.username, ADMIN.password);
      await a.getByRole('button', { name: '重置密码 agent8501' }).click();
      const reset = a.getByRole('dialog', { name: '重置登录密码' });
      await reset.getByText('该用户下次登录时须先修改密码').waitFor();
      await reset.getByText('手动设置').click();
      await reset.getByLabel('新登录密码').fill('temp-8501-reset');
      await reset.getByRole('button', { name: '确认重置' }).click();
      await a.getByText('话务员孙丽 的登录密码已重置，该用户下次登录时须先修改密码').waitFor({ timeout: 5_000 });
      const row = a.getByRole('row').filter({ hasText: 'agent8501' });
      await row.getByText('须改密').waitFor();
      await screenshot(a, '60-admin-reset-must-change');

      // The agent signs in with the admin's password: only the change-password page.
      const g = agentDesk.page;
      await signIn(g, 'agent8501', 'temp-8501-reset');
      await g.getByRole('heading', { name: '请先修改密码' }).waitFor({ timeout: 10_000 });
      expect(await g.getByRole('navigation', { name: '主菜单' }).count(), 'no menu, no pages').to.equal(0);
      expect(await g.locator('[data-test=socket-status]').count(), 'no desk socket').to.equal(0);
      // Whatever the page tries meanwhile, the server refuses it.
      // (A string: it runs in the page, where sessionStorage is; this file's types have no DOM.)
      const refused = await g.evaluate<{ status: number; body: { error?: { code?: string } } }>(`(async () => {
        const { token } = JSON.parse(sessionStorage.getItem('hotline.session') || '{}');
        const res = await fetch('/api/v1/tickets?limit=1', { headers: { Authorization: 'Bearer ' + token } });
        return { status: res.status, body: await res.json() };
      })()`);
      expect(refused.status).to.equal(403);
      expect(refused.body.error?.code).to.equal('PASSWORD_CHANGE_REQUIRED');
      // And the agent desk socket, opened with the same token from outside the page, is refused too.
      const token = await g.evaluate<string>(`JSON.parse(sessionStorage.getItem('hotline.session') || '{}').token || ''`);
      expect(await DesktopClient.refused(base(), token)).to.deep.equal({ code: 4403, reason: 'PASSWORD_CHANGE_REQUIRED: choose your own password first' });
      await screenshot(g, '61-agent-forced-change');

      // A new password equal to the admin's is refused beside its field; then a good one goes through.
      await g.getByLabel('当前密码', { exact: true }).fill('temp-8501-reset');
      await g.getByLabel('新密码', { exact: true }).fill('temp-8501-reset');
      await g.getByLabel('确认新密码', { exact: true }).fill('temp-8501-reset');
      await g.getByRole('button', { name: '确认修改' }).click();
      await g.getByText('新密码不能与当前密码相同').waitFor();
      await g.getByLabel('新密码', { exact: true }).fill('sun-li-own-8501');
      await g.getByLabel('确认新密码', { exact: true }).fill('sun-li-own-8501');
      await g.getByRole('button', { name: '确认修改' }).click();
      await g.locator('[data-test=socket-status]', { hasText: '已连接' }).waitFor({ timeout: 10_000 });
      expect(new URL(g.url()).pathname).to.equal('/agent');
      await screenshot(g, '62-agent-desk-after-change');

      // The admin sees the agent's session (no longer 须改密) and signs it out everywhere.
      await a.getByRole('button', { name: '刷新' }).click();
      await a.getByRole('row').filter({ hasText: 'agent8501' }).getByText('须改密').waitFor({ state: 'detached', timeout: 5_000 });
      await a.getByRole('button', { name: '会话 agent8501' }).click();
      const sessions = a.getByRole('dialog', { name: '登录会话' });
      await sessions.getByText('当前有 1 个登录会话').waitFor({ timeout: 5_000 });
      await screenshot(a, '63-admin-sessions');
      await sessions.getByRole('button', { name: '全部下线' }).click();
      await a.getByRole('dialog', { name: '全部下线' }).getByRole('button', { name: '全部下线' }).click();
      await a.getByText('已下线 1 个会话').waitFor({ timeout: 5_000 });
      await g.waitForURL((url) => url.pathname === '/login', { timeout: 10_000 });
      await screenshot(g, '64-agent-signed-out-by-admin');

      // Its own password works; 修改密码 from the user menu changes it again and the new one works.
      await signIn(g, 'agent8501', 'sun-li-own-8501');
      // Its own sessions, from the user menu: this one is marked 当前.
      await g.getByRole('button', { name: '用户菜单' }).click();
      await g.getByRole('menuitem', { name: '登录会话' }).click();
      const own = g.getByRole('dialog', { name: '登录会话' });
      await own.getByText('当前').waitFor({ timeout: 5_000 });
      await screenshot(g, '66-agent-own-sessions');
      await own.getByRole('button', { name: 'Close' }).or(own.getByLabel('关闭此对话框')).first().click();
      await own.waitFor({ state: 'hidden' });
      await g.getByRole('button', { name: '用户菜单' }).click();
      await g.getByRole('menuitem', { name: '修改密码' }).click();
      const change = g.getByRole('dialog', { name: '修改密码' });
      await change.getByLabel('当前密码', { exact: true }).fill('sun-li-own-8501');
      await change.getByLabel('新密码', { exact: true }).fill('sun-li-next-8501');
      await change.getByLabel('确认新密码', { exact: true }).fill('sun-li-next-8501');
      await screenshot(g, '65-agent-change-own-password');
      await change.getByRole('button', { name: '确认修改' }).click();
      await g.getByText('密码已修改，其他地方的登录已退出').waitFor({ timeout: 5_000 });
      expect(new URL(g.url()).pathname).to.equal('/agent');
      expect((await fetch(`${base()}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'agent8501', password: 'sun-li-next-8501' }) })).status).to.equal(200);
      expect(agentDesk.errors.filter((e) => !/40[13]/.test(e))).to.deep.equal([]);
      expect(adminDesk.errors).to.deep.equal([]);
    } finally {
      await adminDesk.context.close();
      await agentDesk.context.close();
    }
  });
});
