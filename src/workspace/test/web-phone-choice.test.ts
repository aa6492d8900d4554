import { describe, expect, it } from 'vitest';
import { ref } from 'vue';
import { createAgentDesk } from '../src/api/agent-desk';
import type { SocketStatus } from '../src/api/live-socket';
import { decideWebPhone, rememberClick, rememberTabDecision, webPhoneKey } from '../src/phone/web-phone-choice';

class MemoryStore {
  readonly items = new Map<string, string>();
  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.items.set(key, value);
  }
}

describe('whether the desk page starts its 网页话机', () => {
  it('without a click: on when nothing or a browser has the extension, off when a desk softphone has it or the server did not say (WebRTC off)', () => {
    expect(decideWebPhone('7', null, new MemoryStore(), new MemoryStore())).toEqual({ on: true, auto: true });
    expect(decideWebPhone('7', 'browser', new MemoryStore(), new MemoryStore())).toEqual({ on: true, auto: true });
    expect(decideWebPhone('7', 'desk', new MemoryStore(), new MemoryStore())).toEqual({ on: false, auto: true });
    expect(decideWebPhone('7', undefined, new MemoryStore(), new MemoryStore())).toEqual({ on: false, auto: true });
  });

  it('the agent’s click in this browser wins, and is the agent’s own: another agent on the same seat decides afresh', () => {
    const clicked = new MemoryStore();
    rememberClick('7', false, clicked);
    expect(decideWebPhone('7', null, clicked, new MemoryStore())).toEqual({ on: false, auto: false });
    rememberClick('7', true, clicked);
    expect(decideWebPhone('7', 'desk', clicked, new MemoryStore())).toEqual({ on: true, auto: false });
    expect(decideWebPhone('8', 'desk', clicked, new MemoryStore())).toEqual({ on: false, auto: true });
  });

  it('the tab decides once: back on the desk page it keeps its decision, and a phone taken over by a desk softphone stays off until taken back', () => {
    const clicked = new MemoryStore();
    const tab = new MemoryStore();
    expect(decideWebPhone('7', null, clicked, tab)).toEqual({ on: true, auto: true });
    expect(tab.getItem(webPhoneKey('7'))).toBe('on');
    // The desk softphone came up and took the extension: the page hears of it from its phone.
    rememberTabDecision('7', false, tab);
    // The page opened again with the hello of sign-in (nothing registered then): it does not take it back.
    expect(decideWebPhone('7', null, clicked, tab)).toEqual({ on: false, auto: true });
    rememberTabDecision('7', true, tab); // 在此接听
    expect(decideWebPhone('7', 'desk', clicked, tab)).toEqual({ on: true, auto: true });
  });

  it('the desk keeps what the latest hello says of the registration', () => {
    const desk = createAgentDesk({ transport: () => ({ status: ref<SocketStatus>('open'), start: () => undefined, stop: () => undefined, send: () => true }) });
    expect(desk.state.registeredPhone).toBeUndefined();
    desk.handle({ type: 'hello', agentId: '7', username: 'wang.li', extension: '8001', state: 'logged-out', reason: null, phone: 'desk' });
    expect(desk.state.registeredPhone).toBe('desk');
    desk.handle({ type: 'hello', agentId: '7', username: 'wang.li', extension: '8001', state: 'logged-out', reason: null, phone: null });
    expect(desk.state.registeredPhone).toBeNull();
  });
});
