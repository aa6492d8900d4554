import { flushPromises, mount } from '@vue/test-utils';
import ElementPlus from 'element-plus';
import { afterEach, describe, expect, it } from 'vitest';
import { ref } from 'vue';
import { createAgentDesk, type DeskCommand, type DeskTransportHandlers, type HistoryOrder } from '../src/api/agent-desk';
import type { SocketStatus } from '../src/api/live-socket';
import IncomingCall from '../src/components/agent/IncomingCall.vue';

const HISTORY: HistoryOrder[] = [
  { code: '20250601-000042', requestType: 'complaint', categoryId: 3, content: '夜间施工噪音', state: 'dispatched', light: 'yellow', urgency: 'normal', currentUnitId: 2, createdAt: '2025-06-01T02:00:00.000Z' },
];

function rig(storage?: Storage) {
  const sent: DeskCommand[] = [];
  const status = ref<SocketStatus>('open');
  let handlers: DeskTransportHandlers | undefined;
  let t = 1_000_000;
  const desk = createAgentDesk({
    now: () => t,
    ...(storage === undefined ? {} : { storage }),
    transport: (h) => {
      handlers = h;
      return { status, start: () => undefined, stop: () => undefined, send: (m) => (status.value === 'open' ? (sent.push(m), true) : false) };
    },
  });
  return { desk, sent, status, handlers: () => handlers, advance: (ms: number) => (t += ms) };
}

const offer = { type: 'offer' as const, callId: 'c-1', queue: 'general', callerNumber: '13812345678', waitedS: 12.5, history: HISTORY };

describe('agent desk store', () => {
  afterEach(() => {
    sessionStorage.clear();
    document.body.innerHTML = '';
  });

  it('follows an offer to the connected call and its end, keeping the caller for the form', () => {
    const { desk, advance } = rig();
    desk.handle({ type: 'state', state: 'offered', reason: null, at: '', callId: 'c-1' });
    desk.handle(offer);
    expect(desk.state.offer).toMatchObject({ callId: 'c-1', callerNumber: '13812345678', waitedS: 12.5 });

    advance(2000);
    desk.handle({ type: 'state', state: 'busy', reason: null, at: '', callId: 'c-1' });
    desk.handle({ type: 'connected', callId: 'c-1' });
    expect(desk.state.offer).toBeNull();
    expect(desk.state.call).toMatchObject({ callId: 'c-1', callerNumber: '13812345678', queue: 'general', connectedAt: 1_002_000, endedAt: null });
    expect(desk.state.call?.history).toEqual(HISTORY);

    advance(60_000);
    desk.handle({ type: 'state', state: 'wrap-up', reason: null, at: '', callId: 'c-1', wrapUpLeftS: 30 });
    desk.handle({ type: 'ended', callId: 'c-1' });
    expect(desk.state.call?.endedAt).toBe(1_062_000);
    expect(desk.state.wrapUpEndsAt).toBe(1_092_000);
  });

  it('clears the offer when it is withdrawn or the phone stops ringing (RONA), saying why', () => {
    const { desk } = rig();
    desk.handle(offer);
    desk.handle({ type: 'offer-withdrawn', callId: 'c-1', reason: 'abandoned' });
    expect(desk.state.offer).toBeNull();
    expect(desk.state.withdrawn).toBe('来电人已挂机');

    desk.handle({ ...offer, callId: 'c-2' });
    expect(desk.state.withdrawn).toBeNull();
    desk.handle({ type: 'state', state: 'not-ready', reason: 'RONA', at: '', callId: null });
    expect(desk.state.offer).toBeNull();
  });

  it('keeps the call across a reload (sessionStorage) and marks it over when hello says the agent is on no call', () => {
    const first = rig(sessionStorage);
    first.desk.handle(offer);
    first.desk.handle({ type: 'connected', callId: 'c-1' });

    const again = rig(sessionStorage);
    expect(again.desk.state.call).toMatchObject({ callId: 'c-1', callerNumber: '13812345678', endedAt: null });
    again.desk.handle({ type: 'hello', agentId: '7', username: 'wang.li', extension: '8001', state: 'busy', reason: null, inStateS: 40, callId: 'c-1' });
    expect(again.desk.state.call?.endedAt).toBeNull();
    expect(again.desk.state.stateSince).toBe(1_000_000 - 40_000);

    const later = rig(sessionStorage);
    later.desk.handle({ type: 'hello', agentId: '7', username: 'wang.li', extension: '8001', state: 'ready', reason: null, inStateS: 3, callId: null });
    expect(later.desk.state.call?.endedAt).toBe(1_000_000);
  });

  it('sends commands only while connected, otherwise shows that the socket is down', () => {
    const { desk, sent, status } = rig();
    expect(desk.ready()).toBe(true);
    expect(desk.state.pending).toBe('ready');
    desk.handle({ type: 'ack', for: 'ready' });
    expect(desk.state.pending).toBeNull();

    status.value = 'connecting';
    expect(desk.notReady('小休')).toBe(false);
    expect(desk.state.error?.code).toBe('OFFLINE');
    expect(sent).toEqual([{ type: 'ready' }]);
  });

  it('follows a preview task: task, dialing, connected, ended; release gives it back; a dial-plan refusal ends it', () => {
    const { desk, sent } = rig();
    desk.handle({ type: 'task', kind: 'callback', taskId: 'callback:4', ticket: null, callback: { id: 4, queue: 'general', callerNumber: '13900001111', requestedAt: '2025-06-02T01:00:00.000Z' } });
    expect(desk.dial()).toBe(true);
    expect(sent.at(-1)).toEqual({ type: 'dial', taskId: 'callback:4' });
    desk.handle({ type: 'dialing', taskId: 'callback:4', who: 'agent' });
    expect(desk.state.taskPhase).toBe('dialing-agent');
    desk.handle({ type: 'connected', callId: 'p-1', taskId: 'callback:4' });
    expect(desk.state.taskPhase).toBe('connected');
    expect(desk.state.call).toBeNull();
    desk.handle({ type: 'ended', callId: null, taskId: 'callback:4', result: 'resident-unreached', failure: 'no-answer' });
    expect(desk.state.taskEnd).toEqual({ result: 'resident-unreached', failure: 'no-answer' });

    desk.releaseTask();
    expect(sent.at(-1)).toEqual({ type: 'release-task', taskId: 'callback:4' });
    desk.handle({ type: 'ack', for: 'release-task' });
    expect(desk.state.task).toBeNull();

    desk.handle({ type: 'task', kind: 'callback', taskId: 'callback:6', ticket: null, callback: { id: 6, queue: 'general', callerNumber: '13900002222', requestedAt: '2025-06-02T01:00:00.000Z' } });
    desk.ready();
    desk.handle({ type: 'ack', for: 'ready' });
    expect(desk.state.task).toBeNull();

    desk.handle({ type: 'task', kind: 'callback', taskId: 'callback:5', ticket: null, callback: { id: 5, queue: 'general', callerNumber: '110', requestedAt: '2025-06-02T01:00:00.000Z' } });
    desk.handle({ type: 'error', code: 'REFUSED_BY_DIAL_PLAN', message: 'refused by the dial plan: emergency number' });
    expect(desk.state.task).toBeNull();
    expect(desk.state.error?.message).toContain('emergency number');
  });

  it('says when the server refuses the desk for an agent without extension', () => {
    const { desk, handlers } = rig();
    handlers()?.onRefused(4403, 'this user has no extension');
    expect(desk.refused.value).toContain('没有分机号');
  });
});

describe('IncomingCall (the 来电 region)', () => {
  it('names the order the caller asked about in the IVR before pressing 0, through the call', async () => {
    const { desk } = rig();
    const w = mount(IncomingCall, { props: { desk, catalog: null }, global: { plugins: [ElementPlus] }, attachTo: document.body });
    desk.handle({ ...offer, orderCode: '20261120-000007' });
    await flushPromises();
    expect(w.get('[data-test="asked-order"]').text()).toContain('20261120-000007');
    desk.handle({ type: 'connected', callId: 'c-1' });
    await flushPromises();
    expect(w.get('[data-test="asked-order"]').text()).toContain('20261120-000007');
    // Without one, nothing is said.
    desk.handle({ type: 'ended', callId: 'c-1' });
    desk.handle({ ...offer, callId: 'c-2' });
    await flushPromises();
    expect(w.find('[data-test="asked-order"]').exists()).toBe(false);
    w.unmount();
  });

  it("shows the ringing offer with the caller's number, queue, wait and earlier orders; then the call; then nothing after a withdrawal", async () => {
    const { desk } = rig();
    const w = mount(IncomingCall, { props: { desk, catalog: null }, global: { plugins: [ElementPlus] }, attachTo: document.body });
    const region = () => w.get('[role="region"][aria-label="来电"]');
    expect(region().text()).toContain('暂无来电');

    desk.handle(offer);
    await flushPromises();
    expect(region().text()).toContain('振铃中');
    expect(w.get('[data-test="caller-number"]').text()).toBe('13812345678');
    expect(w.get('[data-test="queue"]').text()).toBe('general');
    // The earlier order opens on this page (a new tab would not carry the session): no link to a new tab.
    expect(w.find('[data-test="history-order"] a[target="_blank"]').exists()).toBe(false);
    expect(w.get('[data-test="history-order"] button').text()).toBe('20250601-000042');

    desk.handle({ type: 'offer-withdrawn', callId: 'c-1', reason: 'agent-not-ready' });
    await flushPromises();
    expect(region().text()).toContain('暂无来电');
    expect(region().text()).toContain('您已示忙');

    desk.handle({ ...offer, callId: 'c-3' });
    desk.handle({ type: 'connected', callId: 'c-3' });
    await flushPromises();
    expect(region().text()).toContain('通话中');
    expect(w.findAll('button').some((b) => b.text() === '挂断')).toBe(true);
    desk.handle({ type: 'ended', callId: 'c-3' });
    await flushPromises();
    expect(region().text()).toContain('通话已结束');
    w.unmount();
  });
});
