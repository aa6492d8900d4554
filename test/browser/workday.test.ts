import { expect } from 'chai';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { ApiClient } from '../support/api-client.js';
import { makeToneWav, startBaresip, type Baresip } from '../support/baresip.js';
import { launchChromium, newDesk, screenshot, signIn } from '../support/browser.js';
import { ADMIN, startServer, type ServerHandle } from '../support/server-process.js';
import { testDatabaseUrl, testDbKind, type TestDatabaseUrl } from '../support/test-database.js';
import { sleep, waitUntil } from '../support/wait.js';

const here = new URL('.', import.meta.url).pathname;
const fixtures = join(here, '..', 'e2e', 'fixtures');
const CALLER = '13800138009';

/**
 * A day at the hotline in the browser alone, on the real server and database: an agent signs in and
 * goes ready; a resident (baresip) dials 12345 and presses 0; the 来电 panel shows the number and the
 * resident's earlier order; the agent answers on the softphone, fills the work order and submits it;
 * the unit signs and replies in its inbox; the supervisor approves the reply and sees the agent on the
 * wallboard and the call in the day's report. Each page is screenshotted to test-output/browser/.
 */
describe(`workspace: the four roles' day in the browser (${testDbKind()})`, function () {
  this.timeout(180_000);
  let server: ServerHandle | undefined;
  let database: TestDatabaseUrl | undefined;
  let browser: Browser | undefined;
  const phones: Baresip[] = [];
  const pageErrors: string[] = [];
  let orderCode = '';
  let agentPage: Page | undefined;
  let earlierCode = '';

  const srv = (): ServerHandle => {
    if (server === undefined) throw new Error('no server');
    return server;
  };
  const chrome = (): Browser => {
    if (browser === undefined) throw new Error('no browser');
    return browser;
  };

  before(async () => {
    database = await testDatabaseUrl();
    server = await startServer({ QUEUES_FILE: join(fixtures, 'queues.yaml'), IVR_FLOW: join(fixtures, 'agent-flow.yaml'), WS_GRACE_S: '1' }, { databaseUrl: database.url });
    browser = await launchChromium();
    const admin = await ApiClient.login(srv().baseUrl, ADMIN.username, ADMIN.password);
    const made = async (path: string, body: Record<string, unknown>) => {
      const res = await admin.post(path, body);
      expect(res.status, `${path}: ${JSON.stringify(res.body)}`).to.equal(201);
      return res.body as { id: number };
    };
    await made('/api/v1/agents', { username: 'agent8301', password: 'pass-8301-secret', displayName: '话务员李娜', extension: '8301', skills: ['general'] });
    const units = (await admin.get('/api/v1/units')).body as { items?: { id: number; code: string }[] } | { id: number; code: string }[];
    const list = Array.isArray(units) ? units : (units.items ?? []);
    const cym = list.find((u) => u.code === 'JD-CYM');
    if (cym === undefined) throw new Error('seed unit JD-CYM missing');
    await made('/api/v1/users', { username: 'unit-cym', password: 'pass-unit-secret', displayName: '王丽', role: 'unit', unitId: cym.id });
    await made('/api/v1/users', { username: 'sup1', password: 'pass-sup-secret', displayName: '班长赵敏', role: 'supervisor' });
    // The resident called before: an order from last time, for the screen-pop.
    const agentApi = await ApiClient.login(srv().baseUrl, 'agent8301', 'pass-8301-secret');
    const categories = (await admin.get('/api/v1/categories')).body;
    const earlier = await agentApi.post('/api/v1/tickets', {
      requestType: 'complaint',
      categoryId: leafId(categories, '010302'),
      content: '楼上住户违规装修拆除承重墙，存在安全隐患，请有关部门处理。',
      address: '朝阳门街道某小区2号楼',
      residentPhone: CALLER,
    });
    expect(earlier.status, JSON.stringify(earlier.body)).to.equal(201);
    earlierCode = (earlier.body as { code: string }).code;
  });

  after(async () => {
    for (const p of phones) await p.stop();
    await browser?.close();
    await server?.stop();
    await database?.cleanup();
  });

  afterEach(function () {
    if (this.currentTest?.state === 'failed' && server !== undefined) console.log(server.tail(60));
  });

  async function page(viewport?: { width: number; height: number }): Promise<Page> {
    const desk = await newDesk(chrome(), srv().baseUrl, viewport);
    desk.page.on('pageerror', (err) => pageErrors.push(err.message));
    return desk.page;
  }

  it('agent: signs in, goes ready, sees the call with the earlier order, answers on the phone and submits the work order', async () => {
    const phone = await startBaresip({
      audioSource: makeToneWav(undefined, { frequency: 880, seconds: 60, volume: 0.3 }),
      account: { user: '8301', password: 'pass-8301-secret', registrar: `127.0.0.1:${srv().sipPort}`, register: true, answerMode: 'manual' },
    });
    phones.push(phone);
    await waitUntil(() => srv().logs().includes('"extension":"8301"'), 10_000);
    const agent = await page();
    await signIn(agent, 'agent8301', 'pass-8301-secret');
    expect(new URL(agent.url()).pathname).to.equal('/agent');
    const ready = agent.getByRole('button', { name: '示闲', exact: true });
    // Enabled once the desk's socket said hello.
    await waitUntil(() => ready.isEnabled(), 10_000);
    await ready.click();
    await agent.getByText('示闲（等待来电）').first().waitFor({ timeout: 5000 });
    await screenshot(agent, '10-agent-ready');

    const caller = await startBaresip({ account: { user: CALLER, register: false, answerMode: 'auto' }, audioSource: makeToneWav(undefined, { frequency: 440, seconds: 60, volume: 0.3 }) });
    phones.push(caller);
    const since = caller.mark();
    await caller.dial(`sip:12345@127.0.0.1:${srv().sipPort}`);
    await caller.waitForEvent('CALL_ESTABLISHED', 10_000, since);
    await sleep(800);
    await caller.sendDtmf('0');

    const incoming = agent.getByRole('region', { name: '来电' });
    await incoming.locator('[data-test=caller-number]').filter({ hasText: CALLER }).waitFor({ timeout: 15_000 });
    expect(await incoming.locator('[data-test=history-order]').allTextContents()).to.satisfy((texts: string[]) => texts.some((t) => t.includes(earlierCode)));
    await screenshot(agent, '11-agent-offer');

    await phone.waitForEvent('CALL_INCOMING', 10_000);
    await phone.accept();
    await incoming.getByText('通话中').waitFor({ timeout: 10_000 });
    const form = agent.getByRole('form').or(agent.locator('form')).first();
    expect(await form.getByLabel('来电号码', { exact: true }).inputValue()).to.equal(CALLER);

    await agent.getByRole('radio', { name: '投诉举报' }).check({ force: true });
    // The category is picked by keyboard alone: type part of its name, the first match is marked, Enter takes it.
    await agent.getByLabel('诉求类别', { exact: true }).focus();
    await agent.keyboard.type('违规装修');
    await agent.locator('.category-picker-popper .el-select-dropdown__item', { hasText: '违规装修' }).first().waitFor({ timeout: 5_000 });
    await agent.keyboard.press('Enter');
    await agent.locator('[data-test=category-path]', { hasText: '违规装修' }).waitFor({ timeout: 5_000 });
    await agent.getByLabel('诉求内容', { exact: true }).fill('反映楼下商铺违规装修，夜间施工噪音扰民，请有关部门尽快处理。');
    await agent.getByLabel('地址', { exact: true }).fill('朝阳门街道某小区3号楼底商');
    await agent.getByRole('radio', { name: '紧急', exact: true }).check({ force: true });
    await sleep(300);
    await screenshot(agent, '12-agent-form');
    await agent.getByRole('button', { name: '提交工单' }).click();
    const done = agent.locator('[data-test=order-done]');
    await done.waitFor({ timeout: 10_000 });
    orderCode = /\d{8}-\d{6}/.exec((await done.textContent()) ?? '')?.[0] ?? '';
    expect(orderCode, await done.textContent() ?? '').to.match(/^\d{8}-\d{6}$/);
    await screenshot(agent, '13-agent-submitted');

    await caller.hangup();
    await agent.getByText('话后处理').first().waitFor({ timeout: 10_000 });
    // The agent stays signed in (its page open) for the supervisor's wallboard below.
    agentPage = agent;

    // The order carries the call and went to the category's default unit (朝阳门街道办事处).
    const api = await ApiClient.login(srv().baseUrl, 'agent8301', 'pass-8301-secret');
    const order = (await api.get(`/api/v1/tickets/${orderCode}`)).body as { callId: string | null; state: string; urgency: string; residentPhone: string };
    expect(order).to.include({ state: 'dispatched', urgency: 'urgent', residentPhone: CALLER });
    expect(order.callId).to.be.a('string');
  });

  it('unit: finds the order in its inbox, signs it and replies with the handler and phone', async () => {
    expect(orderCode, 'the agent test made the order').to.not.equal('');
    const unit = await page();
    await signIn(unit, 'unit-cym', 'pass-unit-secret');
    expect(new URL(unit.url()).pathname).to.equal('/unit');
    const row = unit.getByRole('row', { name: new RegExp(orderCode) });
    await row.waitFor({ timeout: 10_000 });
    await screenshot(unit, '20-unit-inbox');
    await row.click();
    await unit.waitForURL(`**/orders/${orderCode}`);
    const actions = unit.getByRole('group', { name: '工单操作' });
    await actions.getByRole('button', { name: '签收', exact: true }).click();
    await actions.getByRole('button', { name: '答复', exact: true }).waitFor({ timeout: 10_000 });
    await actions.getByRole('button', { name: '答复', exact: true }).click();
    const dialog = unit.getByRole('dialog', { name: '答复' });
    await dialog.getByLabel('答复内容').fill('经现场核查，该商铺装修未办理手续，已责令停工并限期整改，夜间施工已停止，我街道将持续跟踪复查。');
    await dialog.getByLabel('答复人').fill('王丽');
    await dialog.getByLabel('答复电话').fill('01065120001');
    await screenshot(unit, '21-unit-reply');
    await dialog.getByRole('button', { name: '提交答复' }).click();
    await unit.getByRole('region', { name: '办理时间线' }).getByText('答复').first().waitFor({ timeout: 10_000 });
    await waitUntil(async () => (await orderState(orderCode)) === 'replied', 10_000);
    await screenshot(unit, '22-unit-replied');
    await unit.context().close();
  });

  it('supervisor: approves the reply, sees the agent on the wallboard and the call in the day\'s report', async () => {
    expect(orderCode).to.not.equal('');
    const sup = await page();
    await signIn(sup, 'sup1', 'pass-sup-secret');
    // The review queue: the replied order is there; 审核通过 in its row.
    await sup.goto('/supervisor/reviews');
    const row = sup.getByRole('row', { name: new RegExp(orderCode) });
    await row.waitFor({ timeout: 10_000 });
    await screenshot(sup, '30-review-queue');
    await row.getByRole('button', { name: '审核通过', exact: true }).click();
    await waitUntil(async () => (await orderState(orderCode)) === 'reviewed', 10_000);
    await row.waitFor({ state: 'detached', timeout: 10_000 });

    // The wallboard: the agent (back from wrap-up) and today's answered call.
    await sup.goto('/supervisor/wallboard');
    const card = sup.getByRole('list', { name: '坐席状态' }).getByRole('listitem').filter({ hasText: '分机 8301' });
    await card.filter({ hasText: '空闲' }).waitFor({ timeout: 10_000 });
    // The names come from the agent list, read beside the board's socket: a first frame may come before
    // it and show 坐席 <id> for a moment (seen once); the name must follow.
    await card.filter({ hasText: '话务员李娜' }).waitFor({ timeout: 5000 });
    const answeredToday = sup.getByRole('group', { name: '今日接通', exact: true });
    await waitUntil(async () => Number(/\d+/.exec((await answeredToday.textContent()) ?? '')?.[0] ?? '0') >= 1, 10_000);
    await screenshot(sup, '31-wallboard');
    // Live: the agent presses 示忙 (小休) on its page and the wallboard shows it.
    if (agentPage === undefined) throw new Error('the agent page is gone');
    await agentPage.getByRole('button', { name: '示忙', exact: true }).click();
    await agentPage.getByRole('dialog', { name: '示忙原因' }).getByRole('button', { name: '小休' }).click();
    await card.filter({ hasText: '示忙' }).waitFor({ timeout: 5000 });
    await screenshot(agentPage, '14-agent-not-ready');

    await sup.goto('/supervisor/reports');
    const summary = sup.getByRole('region', { name: '汇总指标' });
    const answered = summary.locator('[data-figure="answered"] dd');
    await answered.waitFor({ timeout: 10_000 });
    await waitUntil(async () => Number((await answered.textContent())?.replace(/[^\d]/g, '') ?? '0') >= 1, 10_000);
    await screenshot(sup, '32-reports');
    await sup.context().close();
    expect(pageErrors).to.deep.equal([]);
  });

  async function orderState(code: string): Promise<string> {
    const api = await ApiClient.login(srv().baseUrl, 'sup1', 'pass-sup-secret');
    return ((await api.get(`/api/v1/tickets/${code}`)).body as { state: string }).state;
  }
});


function leafId(tree: unknown, code: string): number {
  const walk = (nodes: unknown): number | undefined => {
    const items = (Array.isArray(nodes) ? nodes : ((nodes as { items?: unknown[] }).items ?? [])) as { id: number; code: string; children?: unknown[] }[];
    for (const node of items) {
      if (node.code === code) return node.id;
      const inner = walk(node.children ?? []);
      if (inner !== undefined) return inner;
    }
    return undefined;
  };
  const id = walk(tree);
  if (id === undefined) throw new Error(`no category ${code}`);
  return id;
}
