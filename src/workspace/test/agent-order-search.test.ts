import { flushPromises, mount } from '@vue/test-utils';
import ElementPlus from 'element-plus';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createMemoryHistory, createRouter } from 'vue-router';
import { ApiError } from '../src/api/http';
import type { TicketJson, TicketPage, TicketQuery } from '../src/api/tickets';
import OrderSearch from '../src/pages/orders/OrderSearch.vue';

const getTicket = vi.fn<(code: string) => Promise<TicketJson>>();
const listTickets = vi.fn<(q: TicketQuery) => Promise<TicketPage>>();
vi.mock('../src/api/tickets', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../src/api/tickets')>()),
  getTicket: (code: string) => getTicket(code),
  listTickets: (q: TicketQuery) => listTickets(q),
}));
vi.mock('../src/api/catalog', async (importOriginal) => {
  const real = await importOriginal<typeof import('../src/api/catalog')>();
  const tree = [{ id: 1, parentId: null, code: '01', name: '城乡建设', level: 1, defaultUnitId: 4, defaultUnitCode: 'ZJW', replyDays: null, replyHours: null, signDays: null, active: true, children: [] }];
  const units = [{ id: 4, code: 'ZJW', name: '区住建委', kind: 'bureau' as const, kindName: '委办局', liaisonName: '张伟', liaisonPhone: '01065120003', liaisonSipUri: null, active: true }];
  return { ...real, loadCatalog: () => Promise.resolve(new real.Catalog(tree, units)) };
});

function order(code: string): TicketJson {
  return { code, createdAt: '2025-06-02T01:30:00.000Z', requestTypeName: '投诉举报', categoryId: 1, state: 'dispatched', light: 'red', currentUnitId: 4, handlingUnitId: 4, answeredOnCall: false, residentPhone: '13812345678' } as TicketJson;
}

async function mountSearch(path = '/orders') {
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/orders', component: OrderSearch },
      { path: '/orders/:code', component: { template: '<p>detail</p>' } },
    ],
  });
  await router.push(path);
  const w = mount({ template: '<router-view />' }, { global: { plugins: [ElementPlus, router] }, attachTo: document.body });
  await flushPromises();
  return { w, router };
}

describe('OrderSearch', () => {
  afterEach(() => {
    getTicket.mockReset();
    listTickets.mockReset();
    document.body.innerHTML = '';
  });

  it('finds an order by its exact code and shows code, type, category, state, light and unit; a row opens it', async () => {
    getTicket.mockResolvedValue(order('20250602-000017'));
    const { w, router } = await mountSearch();
    await w.get('#order-search-q').setValue('20250602-000017');
    await w.get('form').trigger('submit');
    await flushPromises();

    expect(getTicket).toHaveBeenCalledWith('20250602-000017');
    expect(listTickets).not.toHaveBeenCalled();
    const row = w.get('.el-table__body tr');
    expect(row.text()).toContain('20250602-000017');
    expect(row.text()).toContain('投诉举报');
    expect(row.text()).toContain('城乡建设');
    expect(row.text()).toContain('已派单');
    expect(row.text()).toContain('红灯（超期）');
    expect(row.text()).toContain('区住建委');
    expect(router.currentRoute.value.query.q).toBe('20250602-000017');

    await row.trigger('click');
    await flushPromises();
    expect(router.currentRoute.value.fullPath).toBe('/orders/20250602-000017');
  });

  it('searches by phone (newest first, paged) and says when a code names no order', async () => {
    listTickets.mockResolvedValue({ items: [order('20250602-000017'), order('20250601-000003')], total: 2, limit: 20, offset: 0 });
    const { w } = await mountSearch('/orders?q=13812345678');
    expect(listTickets).toHaveBeenCalledWith({ phone: '13812345678', limit: 20, offset: 0 });
    expect(w.findAll('.el-table__body tr')).toHaveLength(2);

    getTicket.mockRejectedValue(new ApiError(404, 'NOT_FOUND', 'no ticket'));
    await w.get('#order-search-q').setValue('20250602-999999');
    await w.get('form').trigger('submit');
    await flushPromises();
    expect(w.text()).toContain('没有工单 20250602-999999');
  });

  it('explains what to type when the server refuses the phone number', async () => {
    listTickets.mockRejectedValue(new ApiError(400, 'VALIDATION_FAILED', 'invalid query', [{ path: 'phone', message: 'must be a phone number' }]));
    const { w } = await mountSearch('/orders?q=abc');
    expect(w.get('[role="alert"]').text()).toContain('请输入完整的工单编号');
    expect(w.find('.el-table').exists()).toBe(false);
  });
});
