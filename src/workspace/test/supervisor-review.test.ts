import { flushPromises, mount } from '@vue/test-utils';
import ElementPlus from 'element-plus';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createMemoryHistory, createRouter } from 'vue-router';
import type { TicketJson } from '../src/api/tickets';
import ExtensionActions from '../src/components/supervisor/ExtensionActions.vue';
import ReviewActions from '../src/components/supervisor/ReviewActions.vue';
import ReviewQueue from '../src/pages/supervisor/ReviewQueue.vue';

function ticket(over: Partial<TicketJson> = {}): TicketJson {
  return {
    id: 1, code: 'GD20260302-0001', requestType: 'complaint', requestTypeName: '投诉举报', categoryId: 5, content: '小区供暖温度不达标，室温只有14度',
    address: '西城区某小区3号楼', residentName: null, residentPhone: '13800138000', doNotCall: false, urgency: 'normal', urgencyName: '一般',
    answeredOnCall: false, callId: null, handlingUnitId: 3, currentUnitId: 3, state: 'replied', signBy: null, returnBy: null, replyBy: null,
    closedAt: null, light: null, overdueWorkingDays: 0, remainingWorkingDays: 0, dispatchCount: 1, reopenCount: 0, escalationLevel: 0, extensionStatus: null,
    extensionDays: null, extensionReason: null, extensionGrantedDays: 0, duplicateOf: null, duplicate: false,
    replyContent: '已联系供热公司检修，室温已恢复到18度以上', repliedByName: '李明', repliedByPhone: '01065120001', satisfaction: null,
    resolution: null, version: 7, createdBy: 1, createdAt: '2026-03-02T01:00:00.000Z', updatedAt: '2026-03-02T03:00:00.000Z',
    ...over,
  };
}

interface Call { method: string; url: string; body: Record<string, unknown> | undefined }

/** A fake server: each handler answers [status, json] for "METHOD /path?query". */
function fakeServer(routes: Record<string, (call: Call) => [number, unknown]>): Call[] {
  const calls: Call[] = [];
  vi.stubGlobal('fetch', (url: string, init: RequestInit = {}) => {
    const method = init.method ?? 'GET';
    const call: Call = { method, url, body: typeof init.body === 'string' ? (JSON.parse(init.body) as Record<string, unknown>) : undefined };
    calls.push(call);
    const path = url.replace(/\?.*$/, '');
    const handler = routes[`${method} ${url}`] ?? routes[`${method} ${path}`];
    const [status, json] = handler === undefined ? [404, { error: { code: 'NOT_FOUND', message: `no route ${method} ${url}` } }] : handler(call);
    return Promise.resolve(new Response(JSON.stringify(json), { status, headers: { 'Content-Type': 'application/json' } }));
  });
  return calls;
}

const router = () => createRouter({ history: createMemoryHistory(), routes: [{ path: '/:p(.*)*', component: { template: '<div />' } }] });

describe('review queue', () => {
  beforeEach(() => {
    document.body.innerHTML = '';
  });
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('审核通过 in a row sends review-approve with the row\'s version; on 409 VERSION_CONFLICT it reloads the row, says so, and the next click sends the new version', async () => {
    let approvals = 0;
    const calls = fakeServer({
      'GET /api/v1/units': () => [200, { items: [{ id: 3, code: 'XCZJW', name: '西城区住建委', kind: 'bureau', liaisonName: '王', liaisonPhone: '01000000000', active: true }] }],
      'GET /api/v1/tickets': (c) => (c.url.includes('state=replied') ? [200, { items: [ticket()], total: 1, limit: 200, offset: 0 }] : [200, { items: [], total: 0, limit: 200, offset: 0 }]),
      'GET /api/v1/tickets/GD20260302-0001': () => [200, ticket({ version: 8, replyContent: '已联系供热公司检修，室温已恢复到20度' })],
      'POST /api/v1/tickets/GD20260302-0001/actions/review-approve': () =>
        ++approvals === 1 ? [409, { error: { code: 'VERSION_CONFLICT', message: 'ticket changed' } }] : [200, ticket({ version: 9, state: 'reviewed' })],
    });
    const w = mount(ReviewQueue, { global: { plugins: [ElementPlus, router()] }, attachTo: document.body });
    await flushPromises();
    expect(calls.some((c) => c.url.startsWith('/api/v1/tickets?') && c.url.includes('state=replied'))).toBe(true);
    const row = () => w.findAll('tr.el-table__row').find((tr) => tr.text().includes('GD20260302-0001'));
    expect(row()?.text()).toContain('西城区住建委');
    const approve = () => row()?.findAll('button').find((b) => b.text() === '审核通过');
    expect(row()?.findAll('button').map((b) => b.text()).filter((t) => t !== '')).toEqual(['审核通过', '退回重办']);

    await approve()?.trigger('click');
    await flushPromises();
    const first = calls.filter((c) => c.method === 'POST');
    expect(first).toHaveLength(1);
    expect(first[0]?.body).toEqual({ version: 7 });
    expect(calls.at(-1)?.url).toBe('/api/v1/tickets/GD20260302-0001');
    expect(document.body.textContent).toContain('已被他人更新');
    expect(row()?.text()).toContain('室温已恢复到20度');

    await approve()?.trigger('click');
    await flushPromises();
    expect(calls.filter((c) => c.method === 'POST').at(-1)?.body).toEqual({ version: 8 });
    expect(row()).toBeUndefined();
    w.unmount();
  });

  it('退回重办 asks a reason (at least 5 characters) and sends review-reject with it and the version', async () => {
    const calls = fakeServer({
      'POST /api/v1/tickets/GD20260302-0001/actions/review-reject': () => [200, ticket({ version: 8, state: 'in-progress' })],
    });
    const w = mount(ReviewActions, { props: { ticket: ticket() }, global: { plugins: [ElementPlus] }, attachTo: document.body });
    await w.findAll('button').find((b) => b.text() === '退回重办')?.trigger('click');
    await flushPromises();
    const input = document.getElementById('review-reason-GD20260302-0001');
    if (!(input instanceof HTMLTextAreaElement)) throw new Error('no 退回原因 textarea');
    const confirm = () => [...document.querySelectorAll('button')].find((b) => b.textContent.trim() === '确认退回');
    input.value = '太短';
    input.dispatchEvent(new Event('input'));
    confirm()?.click();
    await flushPromises();
    // The form item shows its error after a short debounce.
    await vi.waitFor(() => {
      expect(document.querySelector('.el-form-item__error')?.textContent).toContain('至少 5 个字');
    });
    expect(calls).toHaveLength(0);
    input.value = '答复未说明室温复测结果';
    input.dispatchEvent(new Event('input'));
    confirm()?.click();
    await flushPromises();
    expect(calls).toHaveLength(1);
    expect(calls[0]?.body).toEqual({ version: 7, reason: '答复未说明室温复测结果' });
    expect(w.emitted('done')?.[0]?.[0]).toMatchObject({ state: 'in-progress' });
    w.unmount();
  });

  it('批准 grants the days asked by default (no days sent); fewer days chosen are sent as days', async () => {
    const calls = fakeServer({
      'POST /api/v1/tickets/GD20260302-0001/actions/approve-extension': () => [200, ticket({ version: 8, state: 'in-progress', extensionStatus: 'approved' })],
    });
    const pending = ticket({ state: 'in-progress', extensionStatus: 'pending', extensionDays: 3, extensionReason: '需协调供热公司检修' });
    const button = (text: string) => [...document.querySelectorAll('button')].find((b) => b.textContent.trim() === text);
    const w = mount(ExtensionActions, { props: { ticket: pending }, global: { plugins: [ElementPlus] }, attachTo: document.body });
    await w.findAll('button').find((b) => b.text() === '批准')?.trigger('click');
    await flushPromises();
    const daysInput = (): HTMLInputElement => {
      const el = document.getElementById('ext-days-GD20260302-0001');
      if (!(el instanceof HTMLInputElement)) throw new Error('no 批准天数 input');
      return el;
    };
    expect(daysInput().value).toBe('3');
    button('确认批准')?.click();
    await flushPromises();
    expect(calls.at(-1)?.body).toEqual({ version: 7 });

    await w.findAll('button').find((b) => b.text() === '批准')?.trigger('click');
    await flushPromises();
    expect(daysInput().value).toBe('3');
    const decrease = document.querySelector('.el-input-number__decrease');
    if (!(decrease instanceof HTMLElement)) throw new Error('no decrease button');
    decrease.dispatchEvent(new MouseEvent('mousedown', { bubbles: true }));
    decrease.dispatchEvent(new MouseEvent('mouseup', { bubbles: true }));
    decrease.click();
    await flushPromises();
    expect(daysInput().value).toBe('2');
    button('确认批准')?.click();
    await flushPromises();
    expect(calls.at(-1)?.body).toEqual({ version: 7, days: 2 });
    w.unmount();
  });
});
