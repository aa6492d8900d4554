import { flushPromises, mount } from '@vue/test-utils';
import ElementPlus from 'element-plus';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ref } from 'vue';
import { createMemoryHistory, createRouter } from 'vue-router';
import { createAgentDesk, currentDesk, stopDesk, useAgentDesk, type DeskTransport, type DeskTransportHandlers } from '../src/api/agent-desk';
import type { SocketStatus } from '../src/api/live-socket';
import { session, setSession } from '../src/api/session-store';
import DeskBanner from '../src/components/agent/DeskBanner.vue';
import IncomingCall from '../src/components/agent/IncomingCall.vue';
import { event, fakeApi, order } from './order-fixtures';

const AGENT = { id: 7, username: 'wang.li', role: 'agent' as const, displayName: '王丽', extension: '8001' };
const HISTORY = [
  { code: '20261120-000001', requestType: 'complaint' as const, categoryId: 2, content: '夜间施工噪音', state: 'dispatched' as const, light: 'green' as const, urgency: 'normal' as const, currentUnitId: 2, createdAt: '2026-11-20T02:00:00.000Z' },
];
const offer = { type: 'offer' as const, callId: 'c-1', queue: 'general', callerNumber: '13812345678', waitedS: 3, history: HISTORY };

/** The shared desk on a fake socket; `handlers` are what the socket calls (a 4401 is onSessionEnded). */
function sharedDesk() {
  let handlers: DeskTransportHandlers | undefined;
  const stopped: string[] = [];
  const went: string[] = [];
  const transport = (h: DeskTransportHandlers): DeskTransport => {
    handlers = h;
    return { status: ref<SocketStatus>('open'), start: () => undefined, stop: () => stopped.push('stop'), send: () => true };
  };
  const desk = useAgentDesk({ transport, navigate: (url) => went.push(url) });
  return { desk, handlers: () => handlers, stopped, went };
}

describe('the shared agent desk (one per signed-in session)', () => {
  beforeEach(() => {
    setSession('tok-1', new Date(Date.now() + 3_600_000).toISOString(), AGENT);
  });
  afterEach(() => {
    stopDesk();
    sessionStorage.clear();
    document.body.innerHTML = '';
  });

  it('is one instance for every page that asks for it', () => {
    const { desk } = sharedDesk();
    expect(useAgentDesk()).toBe(desk);
    expect(currentDesk()).toBe(desk);
  });

  it('our own 退出 stops the desk first; a 4401 "signed out" then goes to the plain login page', () => {
    const { handlers, stopped, went } = sharedDesk();
    stopDesk();
    expect(stopped).toEqual(['stop']);
    expect(currentDesk()).toBeUndefined();
    handlers()?.onSessionEnded('signed out');
    expect(went).toEqual(['/login']);
  });

  it('a session ended by the server (not by us) goes to /login?expired=1 and clears the session', () => {
    const { handlers, went } = sharedDesk();
    handlers()?.onSessionEnded('token expired or unknown');
    expect(went).toEqual(['/login?expired=1']);
    expect(session.token).toBeUndefined();
  });
});

describe('an offer sent after connected (the server looked up the history first)', () => {
  it('completes the answered call instead of ringing for the whole call', () => {
    const desk = createAgentDesk({ transport: () => ({ status: ref<SocketStatus>('open'), start: () => undefined, stop: () => undefined, send: () => true }) });
    desk.handle({ type: 'state', state: 'busy', reason: null, at: '', callId: 'c-1' });
    desk.handle({ type: 'connected', callId: 'c-1' });
    desk.handle(offer);
    expect(desk.state.offer).toBeNull();
    expect(desk.state.call).toMatchObject({ callId: 'c-1', callerNumber: '13812345678', queue: 'general', endedAt: null });
    expect(desk.state.call?.history).toEqual(HISTORY);
    // An offer of another call still rings.
    desk.handle({ ...offer, callId: 'c-2' });
    expect(desk.state.offer?.callId).toBe('c-2');
  });
});

function routerAt(path: string) {
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/agent', component: { template: '<div>desk</div>' } },
      { path: '/orders', component: { template: '<div>search</div>' } },
      { path: '/orders/:code', component: { template: '<div>order</div>' } },
    ],
  });
  void router.push(path);
  return router;
}

describe('DeskBanner (a call while the agent is on another page)', () => {
  it('shows the ringing call off the desk page with a way back; nothing on the desk page itself', async () => {
    const desk = createAgentDesk({ transport: () => ({ status: ref<SocketStatus>('open'), start: () => undefined, stop: () => undefined, send: () => true }) });
    const router = routerAt('/orders');
    await router.isReady();
    const w = mount(DeskBanner, { props: { desk }, global: { plugins: [ElementPlus, router] }, attachTo: document.body });
    expect(w.find('[data-test="desk-banner"]').exists()).toBe(false);
    desk.handle(offer);
    await flushPromises();
    expect(w.get('[data-test="desk-banner"]').text()).toContain('来电振铃：13812345678');
    await w.get('[data-test="desk-banner"] button').trigger('click');
    await flushPromises();
    expect(router.currentRoute.value.path).toBe('/agent');
    expect(w.find('[data-test="desk-banner"]').exists()).toBe(false);
    w.unmount();
  });
});

describe('an earlier order opened from the 来电 panel', () => {
  afterEach(() => {
    document.body.innerHTML = '';
  });

  it('opens in a drawer on the same page (the session stays with this tab), not in a new tab', async () => {
    session.user = AGENT;
    fakeApi((call) => {
      if (call.url.startsWith('/api/v1/categories')) return { status: 200, body: { items: [] } };
      if (call.url.startsWith('/api/v1/units')) return { status: 200, body: { items: [] } };
      if (call.url.includes('/events')) return { status: 200, body: { items: [event('created')] } };
      return { status: 200, body: order({ code: '20261120-000001', content: '夜间施工噪音扰民，请尽快处理' }) };
    });
    const desk = createAgentDesk({ transport: () => ({ status: ref<SocketStatus>('open'), start: () => undefined, stop: () => undefined, send: () => true }) });
    desk.handle(offer);
    const router = routerAt('/agent');
    await router.isReady();
    const w = mount(IncomingCall, { props: { desk, catalog: null }, global: { plugins: [ElementPlus, router] }, attachTo: document.body });
    await flushPromises();
    expect(document.querySelector('a[target="_blank"]')).toBeNull();
    await w.get('[data-test="history-order"] button').trigger('click');
    await flushPromises();
    await new Promise((r) => setTimeout(r, 50));
    await flushPromises();
    const drawer = document.querySelector('[data-test="order-drawer"]');
    expect(drawer?.textContent ?? '').toContain('工单 20261120-000001');
    expect(drawer?.textContent ?? '').toContain('夜间施工噪音扰民');
    expect(router.currentRoute.value.path).toBe('/agent');
    w.unmount();
  });
});
