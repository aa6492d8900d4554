import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { ApiClient } from '../support/api-client.js';
import { launchChromium, newDesk, screenshot, signIn } from '../support/browser.js';
import { ADMIN, startServer, type ServerHandle } from '../support/server-process.js';
import { testDatabaseUrl, testDbKind, type TestDatabaseUrl } from '../support/test-database.js';

/**
 * The accessible names of the forms' fields are a contract (issue 10): exactly "来电号码", not
 * "* 来电号码" — Element Plus draws the required star as the label's ::before, which Chrome puts in the
 * computed name unless the star's alternative text is empty (shared/app.css). Names as Chrome computes
 * them (getByRole … exact), not label text (getByLabel does not see CSS content).
 */
describe(`workspace: fields' accessible names are exact, required ones say so (${testDbKind()})`, function () {
  this.timeout(90_000);
  let server: ServerHandle | undefined;
  let database: TestDatabaseUrl | undefined;
  let browser: Browser | undefined;
  let orderCode = '';
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
    const made = async (path: string, body: Record<string, unknown>): Promise<void> => {
      const res = await admin.post(path, body);
      expect(res.status, `${path}: ${JSON.stringify(res.body)}`).to.equal(201);
    };
    await made('/api/v1/agents', { username: 'agent8401', password: 'pass-8401-secret', displayName: '话务员周敏', extension: '8401', skills: ['general'] });
    const units = (await admin.get('/api/v1/units')).body as { items?: { id: number; code: string }[] } | { id: number; code: string }[];
    const unit = (Array.isArray(units) ? units : (units.items ?? [])).find((u) => u.code === 'JD-CYM');
    if (unit === undefined) throw new Error('seed unit JD-CYM missing');
    await made('/api/v1/users', { username: 'unit-a11y', password: 'pass-unit-secret', displayName: '王丽', role: 'unit', unitId: unit.id });
    const agent = await ApiClient.login(base(), 'agent8401', 'pass-8401-secret');
    const categories = (await admin.get('/api/v1/categories')).body;
    const created = await agent.post('/api/v1/tickets', {
      requestType: 'complaint',
      categoryId: leafId(categories, '010302'),
      content: '楼上住户违规装修拆除承重墙，存在安全隐患，请有关部门处理。',
      address: '朝阳门街道某小区2号楼',
      residentPhone: '13800138011',
      handlingUnitId: unit.id,
    });
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    orderCode = (created.body as { code: string }).code;
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    await database?.cleanup();
  });

  afterEach(function () {
    if (this.currentTest?.state === 'failed' && server !== undefined) console.log(server.tail(40));
  });

  async function required(page: Page, role: 'textbox' | 'combobox', name: string): Promise<void> {
    const field = page.getByRole(role, { name, exact: true });
    expect(await field.count(), `${role} "${name}"`).to.equal(1);
    expect(await field.getAttribute('aria-required'), `${role} "${name}" aria-required`).to.equal('true');
  }

  it("the agent's work-order form: 来电号码, 诉求类型, 诉求类别, 诉求内容, 地址, 承办单位, 紧急程度", async () => {
    const { context, page } = await newDesk(chrome(), base());
    try {
      await signIn(page, 'agent8401', 'pass-8401-secret');
      await page.getByRole('textbox', { name: '诉求内容', exact: true }).waitFor({ timeout: 10_000 });
      await required(page, 'textbox', '来电号码');
      await required(page, 'textbox', '诉求内容');
      expect(await page.getByRole('radiogroup', { name: '诉求类型', exact: true }).count(), 'radiogroup 诉求类型').to.equal(1);
      expect(await page.getByRole('radiogroup', { name: '紧急程度', exact: true }).count(), 'radiogroup 紧急程度').to.equal(1);
      expect(await page.getByRole('combobox', { name: '承办单位', exact: true }).count(), 'combobox 承办单位').to.equal(1);
      expect(await page.getByRole('combobox', { name: '诉求类别', exact: true }).or(page.getByRole('textbox', { name: '诉求类别', exact: true })).count(), '诉求类别').to.equal(1);
      // 地址 is required for a complaint.
      await page.getByRole('radio', { name: '投诉举报' }).check({ force: true });
      await required(page, 'textbox', '地址');
      // The star is still drawn.
      const star = await page.evaluate(`getComputedStyle(document.querySelector('label[for="order-phone"]'), '::before').content`);
      expect(String(star)).to.match(/"\*"/);
      await screenshot(page, 'a11y-agent-form');
    } finally {
      await context.close();
    }
  });

  it("the unit's reply dialog: 答复内容, 答复人, 答复电话", async () => {
    const { context, page } = await newDesk(chrome(), base());
    try {
      await signIn(page, 'unit-a11y', 'pass-unit-secret');
      await page.goto(`/orders/${orderCode}`);
      const actions = page.getByRole('group', { name: '工单操作' });
      await actions.getByRole('button', { name: '签收', exact: true }).click();
      await actions.getByRole('button', { name: '答复', exact: true }).click();
      const dialog = page.getByRole('dialog', { name: '答复' });
      await dialog.waitFor({ timeout: 10_000 });
      for (const name of ['答复内容', '答复人', '答复电话']) {
        const field = dialog.getByRole('textbox', { name, exact: true });
        await field.waitFor({ timeout: 5000 });
        expect(await field.getAttribute('aria-required'), `${name} aria-required`).to.equal('true');
      }
      await screenshot(page, 'a11y-reply-dialog');
    } finally {
      await context.close();
    }
  });
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
