import { flushPromises, mount } from '@vue/test-utils';
import ElementPlus from 'element-plus';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createMemoryHistory, createRouter } from 'vue-router';
import OverdueBoard from '../src/pages/supervisor/OverdueBoard.vue';
import { fakeApi, order } from './order-fixtures';

const router = () => createRouter({ history: createMemoryHistory(), routes: [{ path: '/:p(.*)*', component: { template: '<div />' } }] });

afterEach(() => {
  vi.unstubAllGlobals();
  document.body.innerHTML = '';
});

describe('超期督办 board', () => {
  it('a row left expanded over 刷新 shows its supervision trail again, not "正在读取督办记录…" for ever', async () => {
    const red = order({ state: 'signed', light: 'red', overdueWorkingDays: 2, currentUnitId: 1, handlingUnitId: 1 });
    const calls = fakeApi((call) => {
      if (call.url.startsWith('/api/v1/units')) return { status: 200, body: { items: [{ id: 1, code: 'U1', name: '市供热办', active: true }] } };
      if (call.url.startsWith('/api/v1/tickets?')) return { status: 200, body: call.url.includes('light=red') ? { items: [red], total: 1 } : { items: [], total: 0 } };
      if (call.url.startsWith(`/api/v1/tickets/${red.code}`)) return { status: 200, body: { ...red, events: [] } };
      return { status: 404, body: { error: { code: 'NOT_FOUND', message: call.url } } };
    });
    const r = router();
    const w = mount(OverdueBoard, { global: { plugins: [ElementPlus, r] }, attachTo: document.body });
    await flushPromises();
    await w.find('.el-table__expand-icon').trigger('click');
    await flushPromises();
    expect(w.text()).not.toContain('正在读取督办记录');
    const detailReads = () => calls.filter((c) => c.url.startsWith(`/api/v1/tickets/${red.code}`)).length;
    expect(detailReads()).toBe(1);

    const refresh = w.findAll('button').find((b) => b.text() === '刷新');
    await refresh?.trigger('click');
    await flushPromises();
    await flushPromises();
    expect(detailReads()).toBe(2);
    expect(w.text()).not.toContain('正在读取督办记录');
    w.unmount();
  });
});
