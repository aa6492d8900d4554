import { flushPromises, mount, type VueWrapper } from '@vue/test-utils';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createMemoryHistory, createRouter, type Router } from 'vue-router';
import { session } from '../src/api/session-store';
import type { TicketJson } from '../src/api/tickets';
import { resetOrderCatalog } from '../src/components/orders/order-catalog';
import UnitInbox from '../src/pages/unit/UnitInbox.vue';
import { fakeApi, order, plugins, type FakeCall } from './order-fixtures';

const CATEGORIES = { items: [{ id: 1, code: '05', name: '供暖', children: [{ id: 2, code: '0501', name: '室温不达标', children: [] }] }] };
const UNITS = { items: [{ id: 1, code: 'GNB', name: '区供暖办公室', active: true }] };

let router: Router;
let wrapper: VueWrapper | undefined;

function answer(items: TicketJson[], total = items.length) {
  return (call: FakeCall) => {
    if (call.url.startsWith('/api/v1/categories')) return { status: 200, body: CATEGORIES };
    if (call.url.startsWith('/api/v1/units')) return { status: 200, body: UNITS };
    return { status: 200, body: { items, total, limit: 20, offset: 0 } };
  };
}

async function open(path = '/unit'): Promise<VueWrapper> {
  router = createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/unit', name: 'unit-inbox', component: UnitInbox },
      { path: '/orders/:code', name: 'order-detail', component: { template: '<div>detail</div>' } },
    ],
  });
  await router.push(path);
  await router.isReady();
  wrapper = mount({ template: '<router-view />' }, { global: { plugins: [...plugins, router] }, attachTo: document.body });
  await flushPromises();
  return wrapper;
}

function ticketCalls(calls: FakeCall[]): URLSearchParams[] {
  return calls.filter((c) => c.url.startsWith('/api/v1/tickets')).map((c) => new URL(c.url, 'http://x').searchParams);
}

beforeEach(() => {
  resetOrderCatalog();
  session.user = { id: 40, username: 'gnb', role: 'unit', displayName: '供暖办', unitId: 1 };
});

afterEach(() => {
  wrapper?.unmount();
  wrapper = undefined;
  vi.unstubAllGlobals();
  session.user = undefined;
  document.body.innerHTML = '';
});

describe('unit inbox', () => {
  it('when opened, it asks for the open orders by deadline and shows each light in words with the working days left or overdue', async () => {
    const calls = fakeApi(
      answer([
        order({ code: '20261120-000002', light: 'red', overdueWorkingDays: 2, state: 'signed', replyBy: '2026-11-18T02:00:00.000Z', escalationLevel: 1 }),
        order({ code: '20261120-000003', light: 'yellow', remainingWorkingDays: 0, state: 'dispatched', extensionStatus: null }),
        order({ code: '20261120-000001', light: 'green', remainingWorkingDays: 3, state: 'in-progress', extensionStatus: 'pending', extensionDays: 2 }),
      ]),
    );
    const w = await open();
    const [q] = ticketCalls(calls);
    expect(q?.get('sort')).toBe('deadline');
    expect(q?.get('state')).toBe('dispatched,signed,in-progress');
    expect(q?.get('offset')).toBe('0');
    expect(q?.has('light')).toBe(false);
    const rows = w.findAll('.inbox-table tbody tr').map((r) => r.text().replace(/\s+/g, ' '));
    expect(rows).toHaveLength(3);
    expect(rows[0]).toContain('红灯（超期）');
    expect(rows[0]).toContain('20261120-000002');
    expect(rows[0]).toContain('答复时限');
    expect(rows[0]).toContain('已超期 2 个工作日');
    expect(rows[1]).toContain('黄灯（临期）');
    expect(rows[1]).toContain('签收时限');
    expect(rows[1]).toContain('剩余不足 1 个工作日');
    expect(rows[2]).toContain('绿灯（正常）');
    expect(rows[2]).toContain('剩余 3 个工作日');
    expect(rows[2]).toContain('延期待批');
    expect(rows[2]).toContain('供暖 / 室温不达标');
    expect(w.text()).toContain('区供暖办公室');
    expect(w.text()).toContain('工作日为周一至周五');
  });

  it('when a light is chosen, it asks again for that light from page 1, and the filter stays in the address', async () => {
    const calls = fakeApi(answer([order()]));
    const w = await open();
    const red = w.findAll('.el-radio-button').find((b) => b.text() === '红灯（超期）');
    await red?.find('input').setValue(true);
    await flushPromises();
    const last = ticketCalls(calls).at(-1);
    expect(last?.get('light')).toBe('red');
    expect(last?.get('sort')).toBe('deadline');
    expect(router.currentRoute.value.query).toEqual({ light: 'red' });
  });

  it('when the address names states and a page, it asks for those', async () => {
    const calls = fakeApi(answer([order()], 45));
    await open('/unit?state=replied,closed&page=3');
    const last = ticketCalls(calls).at(-1);
    expect(last?.get('state')).toBe('replied,closed');
    expect(last?.get('offset')).toBe('40');
  });

  it('when there are more orders than a page, the pager moves to the next page', async () => {
    const calls = fakeApi(answer([order()], 45));
    const w = await open();
    await w.find('.el-pagination .btn-next').trigger('click');
    await flushPromises();
    expect(ticketCalls(calls).at(-1)?.get('offset')).toBe('20');
    expect(router.currentRoute.value.query).toEqual({ page: '2' });
  });

  it('when a row is clicked, it opens that order', async () => {
    fakeApi(answer([order({ code: '20261120-000009' })]));
    const w = await open();
    await w.find('.inbox-table tbody tr td:nth-child(4)').trigger('click');
    await flushPromises();
    expect(router.currentRoute.value.fullPath).toBe('/orders/20261120-000009');
  });

  it('when the server fails, it says so and offers 重试', async () => {
    vi.stubGlobal('fetch', () => Promise.resolve(new Response(JSON.stringify({ error: { code: 'DATABASE_ERROR', message: 'listing tickets failed' } }), { status: 500 })));
    const w = await open();
    expect(w.text()).toContain('读取工单失败：listing tickets failed');
    expect(w.findAll('button').some((b) => b.text() === '重试')).toBe(true);
  });
});
