import { flushPromises, mount, type VueWrapper } from '@vue/test-utils';
import ElementPlus from 'element-plus';
import { afterEach, describe, expect, it } from 'vitest';
import { ref } from 'vue';
import { createAgentDesk, type AgentDesk, type DeskCommand } from '../src/api/agent-desk';
import type { SocketStatus } from '../src/api/live-socket';
import StateBar from '../src/components/agent/StateBar.vue';

function fakeDesk(): { desk: AgentDesk; sent: DeskCommand[] } {
  const sent: DeskCommand[] = [];
  const desk = createAgentDesk({ transport: () => ({ status: ref<SocketStatus>('open'), start: () => undefined, stop: () => undefined, send: (m) => (sent.push(m), true) }) });
  desk.handle({ type: 'hello', agentId: '7', username: 'wang.li', extension: '8001', state: 'not-ready', reason: '小休' });
  return { desk, sent };
}

const wrappers: VueWrapper[] = [];
function press(key: string, init: KeyboardEventInit = {}, target: EventTarget = window): void {
  target.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true, ...init }));
}

describe('the desk shortcuts', () => {
  afterEach(() => {
    for (const w of wrappers.splice(0)) w.unmount();
    document.body.innerHTML = '';
  });

  it('a held F2 sends one ready, not one per key repeat, and none while the first is unanswered', async () => {
    const { desk, sent } = fakeDesk();
    wrappers.push(mount(StateBar, { props: { desk }, global: { plugins: [ElementPlus] }, attachTo: document.body }));
    await flushPromises();
    press('F2');
    press('F2', { repeat: true });
    press('F2', { repeat: true });
    press('F2');
    expect(sent).toEqual([{ type: 'ready' }]);
  });

  it('F2 does nothing behind the open 示忙原因 dialog', async () => {
    const { desk, sent } = fakeDesk();
    desk.handle({ type: 'state', state: 'wrap-up', reason: null, at: '', callId: null, wrapUpLeftS: 30 });
    wrappers.push(mount(StateBar, { props: { desk }, global: { plugins: [ElementPlus] }, attachTo: document.body }));
    await flushPromises();
    press('F3');
    await flushPromises();
    expect(document.querySelector('.el-dialog')).not.toBeNull();
    press('F2');
    const inDialog = document.querySelector('.el-dialog button');
    if (inDialog === null) throw new Error('no button in the dialog');
    press('F2', {}, inDialog);
    expect(sent).toEqual([]);
  });
});
