import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { ApiClient } from '../support/api-client.js';
import { launchChromium, newDesk, screenshot, signIn } from '../support/browser.js';
import { freePortRange } from '../support/ports.js';
import { ADMIN, startServer, type ServerHandle } from '../support/server-process.js';
import { describeSipp, runSipp, SCENARIO_DIR } from '../support/sipp.js';
import { testDatabaseUrl, testDbKind, type TestDatabaseUrl } from '../support/test-database.js';

/**
 * 留言处理 in the browser, on the real server: a sipp caller leaves a message at night (nobody logged
 * in: 0, 2, speech, #), an agent opens 留言处理 from the menu, plays it with one click (the <audio>
 * gets the WAV through the token and plays it), opens 转工单 (the order form with the caller's number
 * filled in), then closes the message as 重复来电 and finds it under 已关闭. Screenshots under
 * test-output/browser/messages-*.png.
 */
describe(`workspace: messages page (${testDbKind()})`, function () {
  this.timeout(180_000);
  let server: ServerHandle | undefined;
  let database: TestDatabaseUrl | undefined;
  let recordings: string | undefined;
  let browser: Browser | undefined;
  let page: Page | undefined;
  let errors: string[] = [];

  const p = (): Page => {
    if (page === undefined) throw new Error('no page');
    return page;
  };

  before(async () => {
    database = await testDatabaseUrl();
    recordings = await mkdtemp(join(tmpdir(), 'night-browser-'));
    server = await startServer({ QUEUE_CLOSED_WHEN_UNSTAFFED: 'true', RECORDINGS_DIR: recordings }, { databaseUrl: database.url, readyTimeoutMs: 90_000 });
    const admin = await ApiClient.login(server.baseUrl, ADMIN.username, ADMIN.password);
    const made = await admin.post('/api/v1/agents', { username: 'agent8201', password: 'pass-8201-night', displayName: '话务员李娜', extension: '8201', skills: ['general'] });
    expect(made.status, JSON.stringify(made.body)).to.equal(201);
    const mediaPort = await freePortRange(4);
    const result = await runSipp({ scenario: join(SCENARIO_DIR, 'uac-message.xml'), target: `127.0.0.1:${server.sipPort}`, mediaPort, timeoutS: 50, keys: { caller: '13900139031' } });
    expect(result.exitCode, `${describeSipp(result)}\n${server.tail(20)}`).to.equal(0);
    browser = await launchChromium();
    const desk = await newDesk(browser, server.baseUrl, { width: 1440, height: 900 });
    page = desk.page;
    errors = desk.errors;
    await signIn(page, 'agent8201', 'pass-8201-night');
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    await database?.cleanup();
    if (recordings !== undefined) await rm(recordings, { recursive: true, force: true });
  });

  it('when the agent opens 留言处理 and clicks 播放, the message plays in the page', async () => {
    await p().getByRole('menuitem', { name: '留言处理' }).click();
    await p().waitForURL('**/agent/messages');
    const row = p().getByRole('row', { name: /13900139031/ });
    await row.waitFor();
    expect(await row.innerText()).to.contain('综合咨询');
    await row.getByRole('button', { name: /播放留言 13900139031/ }).click();
    const audio = p().getByLabel('留言录音播放器');
    await audio.waitFor();
    // The WAV loaded (duration known) and plays (currentTime moves).
    const player = 'document.querySelector(\'audio[aria-label="留言录音播放器"]\')';
    // Polled from here: waitForFunction re-evaluates a string predicate with eval in the page, which the
    // workspace's CSP (script-src 'self') refuses once the first evaluation is false.
    const deadline = Date.now() + 15_000;
    while (!(await p().evaluate(`${player} !== null && ${player}.duration > 5 && ${player}.currentTime > 0.3`))) {
      if (Date.now() > deadline) throw new Error('the message did not load and play within 15 s');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const duration = Number(await p().evaluate(`${player}.duration`));
    expect(duration).to.be.within(9, 14);
    await screenshot(p(), 'messages-1-playing');
  });

  it('when the agent clicks 转工单, the order form opens with the caller\'s number filled in', async () => {
    await p().getByRole('button', { name: '转工单 13900139031' }).click();
    const drawer = p().getByRole('dialog', { name: '留言转工单' });
    await drawer.waitFor();
    await p().waitForTimeout(400); // the drawer slides in
    const phone = drawer.locator('#order-phone');
    expect(await phone.inputValue()).to.equal('13900139031');
    await screenshot(p(), 'messages-2-order-form');
    await drawer.getByRole('button', { name: /关闭/ }).first().click();
    await drawer.waitFor({ state: 'hidden' });
  });

  it('when the agent closes the message as 重复来电, it leaves 待处理 and is listed under 已关闭 with the reason', async () => {
    await p().getByRole('button', { name: '关闭留言 13900139031' }).click();
    const dialog = p().getByRole('dialog', { name: '关闭留言' });
    await dialog.getByRole('button', { name: '确认关闭' }).click();
    await dialog.getByText('请选择关闭原因').waitFor();
    await dialog.getByText('重复来电').click();
    await dialog.getByRole('button', { name: '确认关闭' }).click();
    await p().getByText('留言已关闭（重复来电）').waitFor();
    await p().getByText('暂无留言').waitFor();
    // The radio button's label is what a person clicks (its input is visually hidden: a forced click on
    // it lands wherever the layout put it, e.g. on the player above once a message is playing).
    await p().locator('label.el-radio-button', { hasText: '已关闭' }).click();
    const row = p().getByRole('row', { name: /13900139031/ });
    await row.waitFor();
    expect(await row.innerText()).to.contain('重复来电');
    await screenshot(p(), 'messages-3-closed');
    expect(errors).to.deep.equal([]);
  });
});
