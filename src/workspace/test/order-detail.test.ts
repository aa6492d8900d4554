import { flushPromises, mount, type VueWrapper } from '@vue/test-utils';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createMemoryHistory, createRouter, type Router } from 'vue-router';
import { session, type SessionUser } from '../src/api/session-store';
import type { TicketJson } from '../src/api/tickets';
import { resetOrderCatalog } from '../src/components/orders/order-catalog';
import OrderDetail from '../src/pages/orders/OrderDetail.vue';
import { event, fakeApi, order, plugins, type FakeCall } from './order-fixtures';

const CATEGORIES = { items: [{ id: 1, code: '05', name: '供暖', children: [{ id: 2, code: '0501', name: '室温不达标', children: [] }] }] };
const UNITS = { items: [{ id: 1, code: 'GNB', name: '区供暖办公室', active: true }] };
const CODE = '20261120-000001';

let router: Router;
let wrapper: VueWrapper | undefined;

/** Answers GET /tickets/CODE with `current()` and actions with `act(call)`. */
function api(current: () => TicketJson, act: (call: FakeCall) => { status: number; body: unknown } = () => ({ status: 500, body: {} })): FakeCall[] {
  return fakeApi((call) => {
    if (call.url.startsWith('/api/v1/categories')) return { status: 200, body: CATEGORIES };
    if (call.url.startsWith('/api/v1/units')) return { status: 200, body: UNITS };
    if (call.method === 'GET') return { status: 200, body: current() };
    return act(call);
  });
}

async function open(user: SessionUser): Promise<VueWrapper> {
  session.user = user;
  router = createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/orders/:code', name: 'order-detail', component: OrderDetail, props: true },
      { path: '/unit', name: 'unit-inbox', component: { template: '<div>inbox</div>' } },
    ],
  });
  await router.push(`/orders/${CODE}`);
  await router.isReady();
  wrapper = mount({ template: '<router-view />' }, { global: { plugins: [...plugins, router] }, attachTo: document.body });
  await flushPromises();
  return wrapper;
}

const unitUser: SessionUser = { id: 40, username: 'gnb', role: 'unit', displayName: '供暖办', unitId: 1 };
const supervisor: SessionUser = { id: 8, username: 'boss', role: 'supervisor', displayName: '班长' };

function buttons(w: VueWrapper): string[] {
  return w.findAll('[aria-label="工单操作"] button').map((b) => b.text());
}

beforeEach(() => {
  resetOrderCatalog();
});

afterEach(() => {
  wrapper?.unmount();
  wrapper = undefined;
  vi.unstubAllGlobals();
  session.user = undefined;
  document.body.innerHTML = '';
});

describe('order detail', () => {
  it('when a unit opens a dispatched order, it shows the fields by their Chinese names, the trail and the unit’s buttons', async () => {
    api(() => order({ urgency: 'urgent', urgencyName: '紧急', events: [event('created'), event('dispatched', { data: { signBy: '2026-11-23T02:00:00.000Z' } })] }));
    const w = await open(unitUser);
    const text = w.text();
    expect(text).toContain('工单 20261120-000001');
    expect(text).toContain('已派单');
    expect(text).toContain('供暖 / 室温不达标');
    expect(text).toContain('区供暖办公室');
    expect(text).toContain('紧急');
    expect(text).toContain('签收时限');
    expect(text).toContain('剩余 2 个工作日');
    expect(w.findAll('.event-title').map((t) => t.text())).toEqual(['受理', '派单']);
    expect(buttons(w)).toEqual(['签收', '退单']);
  });

  it('when a supervisor opens a replied order, it offers the review and approving sends the version seen', async () => {
    let current = order({ state: 'replied', version: 6, replyContent: '已更换阀门，室温恢复', repliedByName: '李明', repliedByPhone: '01065120001' });
    const calls = api(
      () => current,
      () => {
        current = order({ ...current, state: 'reviewed', version: 7, events: [event('review-approved', { actorRole: 'supervisor' })] });
        return { status: 200, body: current };
      },
    );
    const w = await open(supervisor);
    expect(buttons(w)).toEqual(['审核通过', '退回重办']);
    expect(w.text()).toContain('李明');
    await w.findAll('button').find((b) => b.text() === '审核通过')?.trigger('click');
    await flushPromises();
    await w.findAll('button').find((b) => b.text() === '确认通过')?.trigger('click');
    await flushPromises();
    expect(calls.filter((c) => c.method === 'POST')).toEqual([{ method: 'POST', url: `/api/v1/tickets/${CODE}/actions/review-approve`, body: { version: 6 } }]);
    expect(w.text()).toContain('已审核');
    expect(buttons(w)).toEqual([]);
  });

  it('when someone else changed the order first (409 VERSION_CONFLICT), it reloads the order and says so', async () => {
    let current = order({ state: 'dispatched', version: 3 });
    const calls = api(
      () => current,
      () => {
        current = order({ state: 'signed', version: 4 });
        return { status: 409, body: { error: { code: 'VERSION_CONFLICT', message: 'ticket has changed (version 3 given, 4 stored): reload it and try again' } } };
      },
    );
    const w = await open(unitUser);
    await w.findAll('button').find((b) => b.text() === '签收')?.trigger('click');
    await flushPromises();
    const reads = calls.filter((c) => c.method === 'GET' && c.url === `/api/v1/tickets/${CODE}`);
    expect(reads).toHaveLength(2);
    expect(document.body.textContent).toContain('工单已被他人更新');
    expect(w.text()).toContain('已签收');
    expect(buttons(w)).toEqual(['开始办理', '答复', '申请延期', '退单']);
  });

  it('when a unit returns the order, it goes back to the inbox (the order is no longer the unit’s)', async () => {
    api(
      () => order({ state: 'signed' }),
      () => ({ status: 200, body: order({ state: 'returned', currentUnitId: null, version: 5 }) }),
    );
    const w = await open(unitUser);
    await w.findAll('button').find((b) => b.text() === '退单')?.trigger('click');
    await flushPromises();
    await w.find('#action-return-reason').setValue('不属于本单位职责，应由区城管委办理');
    await w.findAll('button').find((b) => b.text() === '确认退单')?.trigger('click');
    await flushPromises();
    expect(router.currentRoute.value.name).toBe('unit-inbox');
  });

  it('when the order is not the unit’s or does not exist, it says so', async () => {
    fakeApi((call) => (call.url.startsWith(`/api/v1/tickets/`) ? { status: 404, body: { error: { code: 'NOT_FOUND', message: 'no ticket' } } } : { status: 200, body: { items: [] } }));
    const w = await open(unitUser);
    expect(w.text()).toContain('工单不存在');
    expect(w.text()).toContain('或它已不属于本单位');
  });
});
