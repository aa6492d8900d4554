import { flushPromises, mount, type VueWrapper } from '@vue/test-utils';
import ElementPlus from 'element-plus';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ref } from 'vue';
import { createAgentDesk, type AgentDesk, type DeskCommand } from '../src/api/agent-desk';
import type { SocketStatus } from '../src/api/live-socket';
import StateBar from '../src/components/agent/StateBar.vue';

/** A desk on a fake socket that records what the page sends. */
function fakeDesk(): { desk: AgentDesk; sent: DeskCommand[]; status: ReturnType<typeof ref<SocketStatus>> } {
  const sent: DeskCommand[] = [];
  const status = ref<SocketStatus>('open');
  const desk = createAgentDesk({
    transport: () => ({
      status,
      start: () => undefined,
      stop: () => undefined,
      send: (m) => {
        if (status.value !== 'open') return false;
        sent.push(m);
        return true;
      },
    }),
  });
  desk.handle({ type: 'hello', agentId: '7', username: 'wang.li', extension: '8001', state: 'logged-out', reason: null });
  return { desk, sent, status };
}

const wrappers: VueWrapper[] = [];
function mountBar(desk: AgentDesk): VueWrapper {
  const w = mount(StateBar, { props: { desk }, global: { plugins: [ElementPlus] }, attachTo: document.body });
  wrappers.push(w);
  return w;
}

function button(w: VueWrapper, text: string) {
  const found = w.findAll('button').find((b) => b.text() === text);
  if (found === undefined) throw new Error(`no button ${text}; have ${w.findAll('button').map((b) => b.text()).join(', ')}`);
  return found;
}

function press(key: string): void {
  window.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true }));
}

describe('StateBar', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'setTimeout', 'clearTimeout', 'Date'] });
    vi.setSystemTime(new Date('2025-06-02T09:00:00+08:00'));
  });
  afterEach(() => {
    for (const w of wrappers.splice(0)) w.unmount();
    vi.useRealTimers();
    document.body.innerHTML = '';
  });

  it('ready: shows the state and how long it lasts; 示闲 is off, 示忙 on', async () => {
    const { desk } = fakeDesk();
    desk.handle({ type: 'state', state: 'ready', reason: null, at: new Date().toISOString(), callId: null });
    const w = mountBar(desk);
    await vi.advanceTimersByTimeAsync(65_000);

    expect(w.get('[data-test="agent-state"]').text()).toBe('示闲（等待来电）');
    expect(w.get('[data-test="in-state"]').text()).toBe('01:05');
    expect(button(w, '示闲').attributes('disabled')).toBeDefined();
    expect(button(w, '示忙').attributes('disabled')).toBeUndefined();
    expect(w.find('[data-test="call-timer"]').exists()).toBe(false);
    expect(w.get('[data-test="socket-status"]').text()).toBe('已连接');
  });

  it('not-ready: shows the reason the agent gave, and the reason the server gave in words', async () => {
    const { desk } = fakeDesk();
    desk.handle({ type: 'state', state: 'not-ready', reason: '培训', at: new Date().toISOString(), callId: null });
    const w = mountBar(desk);
    expect(w.get('[data-test="agent-state"]').text()).toBe('示忙 · 培训');
    expect(button(w, '示闲').attributes('disabled')).toBeUndefined();
    expect(button(w, '示忙').attributes('disabled')).toBeDefined();

    desk.handle({ type: 'state', state: 'not-ready', reason: 'RONA', at: new Date().toISOString(), callId: null });
    await flushPromises();
    expect(w.get('[data-test="agent-state"]').text()).toBe('示忙 · 来电未接听');
  });

  it('busy: shows the call timer counting from the answer', async () => {
    const { desk } = fakeDesk();
    desk.handle({ type: 'state', state: 'busy', reason: null, at: new Date().toISOString(), callId: 'c-1' });
    const w = mountBar(desk);
    expect(w.get('[data-test="call-timer"]').text()).toBe('通话 00:00');
    await vi.advanceTimersByTimeAsync(83_000);
    expect(w.get('[data-test="call-timer"]').text()).toBe('通话 01:23');
    expect(w.get('[data-test="agent-state"]').text()).toBe('通话中');
    expect(button(w, '示闲').attributes('disabled')).toBeDefined();
    expect(button(w, '示忙').attributes('disabled')).toBeDefined();
  });

  it('wrap-up: counts down the seconds the server gave and offers to end it early', async () => {
    const { desk, sent } = fakeDesk();
    desk.handle({ type: 'state', state: 'wrap-up', reason: null, at: new Date().toISOString(), callId: 'c-1', wrapUpLeftS: 30 });
    const w = mountBar(desk);
    expect(w.get('[data-test="wrap-up"]').text()).toBe('话后处理 剩余 00:30');
    await vi.advanceTimersByTimeAsync(12_000);
    expect(w.get('[data-test="wrap-up"]').text()).toBe('话后处理 剩余 00:18');

    await button(w, '结束话后处理').trigger('click');
    expect(sent).toEqual([{ type: 'end-wrap-up' }]);
  });

  it('wrap-up after a reconnect: counts down what hello says is left', async () => {
    const { desk } = fakeDesk();
    desk.handle({ type: 'hello', agentId: '7', username: 'wang.li', extension: '8001', state: 'wrap-up', reason: null, inStateS: 20, callId: 'c-1', wrapUpLeftS: 10 });
    const w = mountBar(desk);
    expect(w.get('[data-test="wrap-up"]').text()).toBe('话后处理 剩余 00:10');
    await vi.advanceTimersByTimeAsync(4_000);
    expect(w.get('[data-test="wrap-up"]').text()).toBe('话后处理 剩余 00:06');
  });

  it('示闲 sends ready; F2 does the same', async () => {
    const { desk, sent } = fakeDesk();
    const w = mountBar(desk);
    await button(w, '示闲').trigger('click');
    expect(sent).toEqual([{ type: 'ready' }]);

    desk.handle({ type: 'ack', for: 'ready' });
    desk.handle({ type: 'state', state: 'not-ready', reason: '小休', at: new Date().toISOString(), callId: null });
    await flushPromises();
    press('F2');
    expect(sent).toEqual([{ type: 'ready' }, { type: 'ready' }]);
  });

  it('示忙 asks the reason and sends it; F3 opens the same choice; 其他 takes a typed reason', async () => {
    const { desk, sent } = fakeDesk();
    desk.handle({ type: 'state', state: 'ready', reason: null, at: new Date().toISOString(), callId: null });
    const w = mountBar(desk);

    await button(w, '示忙').trigger('click');
    await flushPromises();
    expect(sent).toEqual([]);
    await button(w, '培训').trigger('click');
    expect(sent).toEqual([{ type: 'not-ready', reason: '培训' }]);

    desk.handle({ type: 'ack', for: 'not-ready' });
    desk.handle({ type: 'state', state: 'ready', reason: null, at: new Date().toISOString(), callId: null });
    await flushPromises();
    press('F3');
    await flushPromises();
    await button(w, '其他').trigger('click');
    await flushPromises();
    await w.get('#not-ready-other').setValue('处理投诉回电');
    await w.get('form.other').trigger('submit');
    expect(sent).toEqual([{ type: 'not-ready', reason: '培训' }, { type: 'not-ready', reason: '处理投诉回电' }]);
  });

  it("shows the server's refusal ('error' frame) and the socket reconnecting", async () => {
    const { desk, status } = fakeDesk();
    const w = mountBar(desk);
    desk.handle({ type: 'error', code: 'INVALID_STATE', message: 'agent 7 is ready: already ready' });
    status.value = 'connecting';
    await flushPromises();
    expect(w.get('[role="alert"]').text()).toContain('agent 7 is ready: already ready');
    expect(w.get('[data-test="socket-status"]').text()).toBe('正在重连…');
    // Offline: the buttons are off and nothing is sent.
    expect(button(w, '示闲').attributes('disabled')).toBeDefined();
  });
});
