import { flushPromises, mount } from '@vue/test-utils';
import ElementPlus from 'element-plus';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { nextTick, ref } from 'vue';
import type { AgentDesk } from '../src/api/agent-desk';
import { ApiError } from '../src/api/http';
import type { SocketStatus } from '../src/api/live-socket';
import { session } from '../src/api/session-store';
import type { TicketJson } from '../src/api/tickets';
import { order } from './order-fixtures';

const saveSurveyResult = vi.fn<(code: string, body: { version: number }) => Promise<TicketJson>>();
const getTicket = vi.fn<(code: string) => Promise<TicketJson>>();
let desk: AgentDesk | undefined;
vi.mock('../src/api/agent-desk', async (importOriginal) => {
  const real = await importOriginal<typeof import('../src/api/agent-desk')>();
  return {
    ...real,
    saveSurveyResult: (code: string, body: { version: number }) => saveSurveyResult(code, body),
    useAgentDesk: () => {
      desk ??= real.createAgentDesk({ transport: () => ({ status: ref<SocketStatus>('open'), start: () => undefined, stop: () => undefined, send: () => true }) });
      return desk;
    },
  };
});
vi.mock('../src/api/tickets', async (importOriginal) => ({ ...(await importOriginal<typeof import('../src/api/tickets')>()), getTicket: (code: string) => getTicket(code) }));

async function settle(): Promise<void> {
  await flushPromises();
  await new Promise((r) => setTimeout(r, 150));
  await nextTick();
}

describe('回访任务: a survey saved after someone else changed the order', () => {
  afterEach(() => {
    document.body.innerHTML = '';
  });

  it('reloads the order on 409 VERSION_CONFLICT, so saving again carries the new version', async () => {
    session.user = { id: 7, username: 'wang.li', role: 'agent', displayName: '王丽', extension: '8001' };
    const { default: CallbackTasks } = await import('../src/pages/agent/CallbackTasks.vue');
    const w = mount(CallbackTasks, { global: { plugins: [ElementPlus] }, attachTo: document.body });
    const d = desk;
    if (d === undefined) throw new Error('no desk');
    d.handle({ type: 'hello', agentId: '7', username: 'wang.li', extension: '8001', state: 'not-ready', reason: 'preview' });
    const ticket = { code: '20261120-000001', version: 4, content: '供暖不热', replyContent: '已处理', repliedByName: '张三', residentName: '李女士', residentPhone: '13812345678' };
    d.handle({ type: 'task', kind: 'survey', taskId: 'survey:20261120-000001', ticket, callback: null });
    await flushPromises();

    saveSurveyResult.mockRejectedValueOnce(new ApiError(409, 'VERSION_CONFLICT', 'version 4 is stale'));
    getTicket.mockResolvedValue(order({ code: '20261120-000001', version: 6, content: '供暖不热', replyContent: '已上门处理完毕' }));
    await w.findAll('label').find((l) => l.text() === '已解决')?.trigger('click');
    await w.findAll('label').find((l) => l.text() === '满意')?.trigger('click');
    await w.get('form.rating').trigger('submit');
    await settle();
    expect(w.text()).toContain('已重新加载');
    expect(getTicket).toHaveBeenCalledWith('20261120-000001');
    expect(w.text()).toContain('已上门处理完毕');

    saveSurveyResult.mockResolvedValueOnce(order({ code: '20261120-000001', version: 7 }));
    await w.get('form.rating').trigger('submit');
    await settle();
    expect(saveSurveyResult.mock.calls.map((c) => c[1].version)).toEqual([4, 6]);
    w.unmount();
  });
});
