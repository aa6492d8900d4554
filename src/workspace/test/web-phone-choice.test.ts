import { describe, expect, it } from 'vitest';
import { ref } from 'vue';
import { createAgentDesk } from '../src/api/agent-desk';
import type { SocketStatus } from '../src/api/live-socket';
import { webPhoneWanted } from '../src/phone/web-phone-choice';

describe('whether the desk page starts its 网页话机', () => {
  it('without a choice in this browser: on when nothing or a browser has the extension, off when a desk softphone has it or the server did not say', () => {
    expect(webPhoneWanted(null, null)).toBe(true);
    expect(webPhoneWanted(null, 'browser')).toBe(true);
    expect(webPhoneWanted(null, 'desk')).toBe(false);
    expect(webPhoneWanted(null, undefined)).toBe(false);
  });

  it('the agent’s choice in this browser wins either way', () => {
    expect(webPhoneWanted('on', 'desk')).toBe(true);
    expect(webPhoneWanted('off', null)).toBe(false);
    expect(webPhoneWanted('off', 'browser')).toBe(false);
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
