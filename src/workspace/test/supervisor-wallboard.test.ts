import { flushPromises, mount } from '@vue/test-utils';
import ElementPlus from 'element-plus';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ref } from 'vue';
import { createMemoryHistory, createRouter } from 'vue-router';
import { agentStateText, type BoardFrame } from '../src/api/wallboard';
import WallboardPage from '../src/pages/supervisor/WallboardPage.vue';

const socket = vi.hoisted(() => ({ onFrame: undefined as ((f: unknown) => void) | undefined, stopped: 0 }));

vi.mock('../src/api/wallboard', async (importOriginal) => {
  const real = await importOriginal<typeof import('../src/api/wallboard')>();
  return {
    ...real,
    openWallboard: (onFrame: (f: unknown) => void) => {
      socket.onFrame = onFrame;
      return { status: ref('open'), stop: () => { socket.stopped++; } };
    },
    listAgents: () =>
      Promise.resolve([
        { id: 11, username: 'zhangsan', displayName: '张三', extension: '8001', active: true },
        { id: 12, username: 'lisi', displayName: '李四', extension: '8002', active: true },
        { id: 13, username: 'wangwu', displayName: '王五', extension: '8003', active: true },
      ]),
  };
});

const T0 = Date.parse('2026-03-02T02:00:00.000Z');

function frame(over: Partial<BoardFrame> = {}): BoardFrame {
  return {
    type: 'board',
    at: new Date(Date.now()).toISOString(),
    waiting: { general: 2 },
    waitingTotal: 2,
    longestWaitS: 20,
    queues: [
      { name: 'general', displayName: '综合咨询', waiting: 2, longestWaitS: 20 },
      { name: 'complaint', displayName: '投诉举报', waiting: 0, longestWaitS: 0 },
    ],
    agents: { ready: 1, 'not-ready': 1 },
    agentList: [
      { agentId: '11', extension: '8001', state: 'ready', reason: null, since: new Date(T0 - 3000).toISOString(), inStateS: 3 },
      { agentId: '12', extension: '8002', state: 'not-ready', reason: '休息', since: new Date(T0 - 70_000).toISOString(), inStateS: 70 },
    ],
    today: { offered: 10, answered: 8, abandoned: 2, answerRate: 0.8, serviceLevel: 0.65, abandonRate: 0.2, asaS: 9 },
    ...over,
  };
}

async function mountPage() {
  const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/', component: { template: '<div />' } }, { path: '/login', name: 'login', component: { template: '<div />' } }] });
  const wrapper = mount(WallboardPage, { global: { plugins: [ElementPlus, router] }, attachTo: document.body });
  await flushPromises();
  return wrapper;
}

const tile = (w: Awaited<ReturnType<typeof mountPage>>, label: string) => w.find(`[role="group"][aria-label="${label}"]`).text();
const cards = (w: Awaited<ReturnType<typeof mountPage>>) => w.findAll('ul[aria-label="坐席状态"] > li').map((li) => li.text().replace(/\s+/g, ' '));

describe('agent state names', () => {
  it('names states and the ACD\'s own not-ready reasons in Chinese, an agent\'s own reason as given', () => {
    expect(agentStateText('ready', null)).toBe('空闲');
    expect(agentStateText('offered', null)).toBe('振铃');
    expect(agentStateText('wrap-up', null)).toBe('话后');
    expect(agentStateText('logged-out', null)).toBe('离线');
    expect(agentStateText('not-ready', 'RONA')).toBe('示忙(未接来电)');
    expect(agentStateText('not-ready', 'desktop-disconnected')).toBe('示忙(工作台断开)');
    expect(agentStateText('not-ready', '培训')).toBe('示忙(培训)');
    expect(agentStateText('not-ready', null)).toBe('示忙');
  });
});

describe('wallboard page', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: T0 });
    socket.onFrame = undefined;
  });
  afterEach(() => {
    vi.useRealTimers();
    document.body.innerHTML = '';
  });

  it('shows the figures and each agent (name, extension, state in Chinese, time in state) from a frame, ticking between frames', async () => {
    const w = await mountPage();
    expect(w.text()).toContain('正在连接实时数据');
    socket.onFrame?.(frame());
    await flushPromises();
    expect(tile(w, '排队人数')).toContain('2');
    expect(tile(w, '最长等待')).toContain('00:20');
    expect(tile(w, '今日呼入')).toContain('10');
    expect(tile(w, '今日接通')).toContain('8');
    expect(tile(w, '今日接通率')).toContain('80.0%');
    expect(tile(w, '今日15秒接通率')).toContain('65.0%');
    expect(cards(w)).toEqual(['张三 分机 8001 空闲 00:03', '李四 分机 8002 示忙(休息) 01:10']);
    const rows = w.findAll('table[aria-label="队列排队"] tbody tr').map((tr) => tr.findAll('th, td').map((c) => c.text()));
    expect(rows).toEqual([
      ['综合咨询', '2', '00:20'],
      ['投诉举报', '0', '—'],
    ]);
    expect(w.find('[role="status"]').text()).toContain('实时连接正常');

    await vi.advanceTimersByTimeAsync(2000);
    expect(cards(w)[0]).toBe('张三 分机 8001 空闲 00:05');
    expect(tile(w, '最长等待')).toContain('00:22');
    w.unmount();
    expect(socket.stopped).toBeGreaterThan(0);
  });

  it('updates on the next frame: the agent is now 通话, the call counted, the queue empty', async () => {
    const w = await mountPage();
    socket.onFrame?.(frame());
    await flushPromises();
    await vi.advanceTimersByTimeAsync(4000);
    socket.onFrame?.(
      frame({
        waiting: {},
        waitingTotal: 0,
        longestWaitS: 0,
        queues: [{ name: 'general', displayName: '综合咨询', waiting: 0, longestWaitS: 0 }],
        agents: { busy: 1, 'wrap-up': 1 },
        agentList: [
          { agentId: '11', extension: '8001', state: 'busy', reason: null, since: new Date(Date.now()).toISOString(), inStateS: 0 },
          { agentId: '12', extension: '8002', state: 'wrap-up', reason: null, since: new Date(Date.now()).toISOString(), inStateS: 1 },
        ],
        today: { offered: 11, answered: 9, abandoned: 2, answerRate: 9 / 11, serviceLevel: 0.7, abandonRate: 2 / 11, asaS: 9 },
      }),
    );
    await flushPromises();
    expect(cards(w)).toEqual(['张三 分机 8001 通话 00:00', '李四 分机 8002 话后 00:01']);
    expect(tile(w, '今日接通')).toContain('9');
    expect(tile(w, '今日接通率')).toContain('81.8%');
    expect(tile(w, '排队人数')).toContain('0');
    expect(tile(w, '最长等待')).toContain('00:00');
    expect(tile(w, '通话')).toContain('1');
    expect(tile(w, '空闲')).toContain('0');
    // 王五 never logged in: counted 离线, listed only with 显示未登录坐席.
    expect(tile(w, '离线')).toContain('1');
    await w.find('input[type="checkbox"]').setValue(true);
    expect(cards(w).at(-1)).toBe('王五 分机 8003 离线 —');
    w.unmount();
  });
});
