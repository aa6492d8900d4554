import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { ApiClient } from '../support/api-client.js';
import { launchChromium, newDesk, screenshot, signIn } from '../support/browser.js';
import { ADMIN, startServer, type ServerHandle } from '../support/server-process.js';
import { testDatabaseUrl, testDbKind, type TestDatabaseUrl } from '../support/test-database.js';

/**
 * 公告管理 in the browser, on the real server and database: a supervisor opens the page from the menu,
 * is told what is missing when publishing an empty form, publishes a water-cut notice, sees it listed
 * as 生效中, sees it on the wallboard's 公告来电 panel, and withdraws it. Screenshots under
 * test-output/browser/notices-*.png.
 */
describe(`workspace: notices page (${testDbKind()})`, function () {
  this.timeout(120_000);
  let server: ServerHandle | undefined;
  let database: TestDatabaseUrl | undefined;
  let browser: Browser | undefined;
  let page: Page | undefined;
  let errors: string[] = [];

  const p = (): Page => {
    if (page === undefined) throw new Error('no page');
    return page;
  };

  before(async () => {
    database = await testDatabaseUrl();
    server = await startServer({}, { databaseUrl: database.url });
    const admin = await ApiClient.login(server.baseUrl, ADMIN.username, ADMIN.password);
    const made = await admin.post('/api/v1/users', { username: 'sup-notice', password: 'pass-sup-secret', displayName: '班长赵敏', role: 'supervisor' });
    expect(made.status, JSON.stringify(made.body)).to.equal(201);
    browser = await launchChromium();
    const desk = await newDesk(browser, server.baseUrl, { width: 1440, height: 900 });
    page = desk.page;
    errors = desk.errors;
    await signIn(page, 'sup-notice', 'pass-sup-secret');
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    await database?.cleanup();
  });

  it('when the supervisor publishes an empty form, each required field says what is missing and nothing is published', async () => {
    await p().getByRole('menuitem', { name: '公告管理' }).click();
    await p().waitForURL('**/supervisor/notices');
    await p().getByRole('button', { name: '发布公告' }).click();
    const dialog = p().getByRole('dialog', { name: '发布公告' });
    await dialog.getByRole('button', { name: '发布' }).click();
    await dialog.getByRole('alert').filter({ hasText: '请按提示修改标红的项' }).waitFor();
    await dialog.getByText('不能为空').first().waitFor();
    expect(await dialog.getByText('不能为空').count()).to.equal(2);
    await p().waitForTimeout(400); // the field errors zoom in
    await screenshot(p(), 'notices-1-empty-form');
    await dialog.getByRole('button', { name: '取消' }).click();
    await p().getByText('还没有公告').waitFor();
  });

  it('when the supervisor publishes a water-cut notice, it is listed as 生效中 with no calls yet', async () => {
    await p().getByRole('button', { name: '发布公告' }).click();
    const dialog = p().getByRole('dialog', { name: '发布公告' });
    await dialog.getByLabel('标题').fill('河东区停水通知');
    await dialog.getByLabel('播报内容').fill('今天八时至十八时，河东区大王庄街道部分小区停水，请提前储水。');
    await dialog.getByLabel('涉及区域').fill('河东区，大王庄街道');
    await dialog.getByRole('button', { name: '发布' }).click();
    await p().getByText('已发布：河东区停水通知').waitFor();
    await dialog.waitFor({ state: 'hidden' });
    const row = p().getByRole('row', { name: /河东区停水通知/ });
    await row.waitFor();
    const text = await row.innerText();
    expect(text).to.contain('生效中');
    expect(text).to.contain('河东区、大王庄街道');
    await screenshot(p(), 'notices-2-published');
    expect(errors).to.deep.equal([]);
  });

  it('when the supervisor opens the wallboard, the notice in force is on the 公告来电 panel with today\'s counts', async () => {
    await p().getByRole('menuitem', { name: '实时监控' }).click();
    const panel = p().getByRole('table', { name: '公告来电' });
    await panel.waitFor();
    const row = panel.getByRole('row', { name: /河东区停水通知/ });
    await row.waitFor();
    expect((await row.innerText()).replace(/\s+/g, ' ')).to.match(/河东区停水通知 0 0/);
    await screenshot(p(), 'notices-3-wallboard');
  });

  it('when the supervisor withdraws the notice, it is listed as 已撤回 and leaves the wallboard', async () => {
    await p().getByRole('menuitem', { name: '公告管理' }).click();
    await p().getByRole('button', { name: '撤回 河东区停水通知' }).click();
    await p().getByRole('dialog', { name: '撤回公告' }).getByRole('button', { name: '撤回' }).click();
    await p().getByText('已撤回：河东区停水通知').waitFor();
    expect(await p().getByRole('row', { name: /河东区停水通知/ }).innerText()).to.contain('已撤回');
    await screenshot(p(), 'notices-4-withdrawn');
    await p().getByRole('menuitem', { name: '实时监控' }).click();
    await p().getByRole('table', { name: '公告来电' }).getByText('当前无生效公告').waitFor();
    expect(errors).to.deep.equal([]);
  });
});
