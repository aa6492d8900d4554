import { flushPromises, mount } from '@vue/test-utils';
import ElementPlus from 'element-plus';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { callOutcome, endReasonName, talkSeconds, waitSeconds, type CallRecordJson } from '../src/api/calls';
import { clearSession, setSession } from '../src/api/session-store';
import RecordingPlayer from '../src/components/reports/RecordingPlayer.vue';
import CallsPage from '../src/pages/supervisor/CallsPage.vue';

const CALL: CallRecordJson = {
  callId: 'abc@10.0.0.1', direction: 'inbound', from: '13800138000', to: '12345',
  startedAt: '2026-11-20T02:00:00.000Z', answeredAt: '2026-11-20T02:00:01.000Z', endedAt: '2026-11-20T02:03:31.000Z',
  endReason: 'hangup', hungUpBy: 'caller', digits: '0', ivrPath: 'welcome,main-menu', queue: 'general',
  queuedAt: '2026-11-20T02:00:10.000Z', agentId: 7, agentExtension: '8001', agentAnsweredAt: '2026-11-20T02:00:22.000Z',
  hasRecording: true, recordingExpiredAt: null, truncated: false,
  ivrFlow: 'default', ivrOutcome: 'queue', ivrSelfServed: false, ivrSpoken: null,
};

describe('call records', () => {
  it('names the end reason in Chinese, and a reason it does not know as the server wrote it', () => {
    expect(endReasonName(CALL)).toBe('正常挂机');
    expect(endReasonName({ endReason: 'cancelled', endedAt: CALL.endedAt })).toBe('未接通即挂断');
    expect(endReasonName({ endReason: 'crashed', endedAt: CALL.endedAt })).toBe('系统异常中断');
    expect(endReasonName({ endReason: 'new-reason', endedAt: CALL.endedAt })).toBe('new-reason');
    expect(endReasonName({ endReason: null, endedAt: null })).toBe('通话中');
  });

  it('says what became of the call', () => {
    expect(callOutcome(CALL)).toBe('人工接通');
    expect(callOutcome({ ...CALL, agentAnsweredAt: null })).toBe('排队未接通');
    expect(callOutcome({ ...CALL, agentAnsweredAt: null, queuedAt: null })).toBe('自助语音');
    expect(callOutcome({ ...CALL, agentAnsweredAt: null, queuedAt: null, answeredAt: null })).toBe('未接通');
  });

  it('counts the wait from queueing to the agent, and the talk from the agent to the end', () => {
    expect(waitSeconds(CALL)).toBe(12);
    expect(talkSeconds(CALL)).toBe(189);
    const abandoned = { ...CALL, agentId: null, agentExtension: null, agentAnsweredAt: null, endedAt: '2026-11-20T02:00:40.000Z' };
    expect(waitSeconds(abandoned)).toBe(30);
    expect(talkSeconds(abandoned)).toBe(39); // the IVR part: answered 02:00:01
    expect(waitSeconds({ ...CALL, queuedAt: null })).toBeNull();
    expect(talkSeconds({ ...CALL, endedAt: null })).toBeNull();
  });
});

describe('recording player and call list', () => {
  let created: Blob[];
  let revoked: string[];

  beforeEach(() => {
    setSession('tok-9', new Date(2099, 0, 1).toISOString(), { id: 1, username: 'boss', role: 'supervisor', displayName: '班长' });
    created = [];
    revoked = [];
    vi.spyOn(URL, 'createObjectURL').mockImplementation((b) => {
      created.push(b as Blob);
      return `blob:rec-${created.length}`;
    });
    vi.spyOn(URL, 'revokeObjectURL').mockImplementation((u) => void revoked.push(u));
    vi.spyOn(HTMLMediaElement.prototype, 'pause').mockImplementation(() => undefined);
  });

  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllGlobals();
    clearSession();
  });

  it('fetches the recording with the token, plays it from an object URL and revokes it on the next call and on close', async () => {
    const fetched: { url: string; auth: string | null }[] = [];
    vi.stubGlobal('fetch', vi.fn((url: string, init?: RequestInit) => {
      fetched.push({ url, auth: new Headers(init?.headers).get('Authorization') });
      return Promise.resolve(new Response(new Uint8Array([82, 73, 70, 70]), { status: 200, headers: { 'content-type': 'audio/wav' } }));
    }));
    const player = mount(RecordingPlayer, { props: { callId: 'abc@10.0.0.1', caption: '来电' }, global: { plugins: [ElementPlus] } });
    await flushPromises();
    expect(fetched).toEqual([{ url: '/api/v1/calls/abc%4010.0.0.1/recording', auth: 'Bearer tok-9' }]);
    expect(player.find('audio').attributes('src')).toBe('blob:rec-1');
    expect(player.find('audio').attributes('controls')).toBeDefined();
    expect(created[0]?.type).toBe('audio/wav');
    await player.setProps({ callId: 'second' });
    await flushPromises();
    expect(revoked).toEqual(['blob:rec-1']);
    expect(player.find('audio').attributes('src')).toBe('blob:rec-2');
    player.unmount();
    expect(revoked).toEqual(['blob:rec-1', 'blob:rec-2']);
  });

  it('says so in Chinese when the recording is gone', async () => {
    vi.stubGlobal('fetch', vi.fn(() => Promise.resolve(new Response('{}', { status: 404 }))));
    const player = mount(RecordingPlayer, { props: { callId: 'gone', caption: '' }, global: { plugins: [ElementPlus] } });
    await flushPromises();
    expect(player.text()).toContain('录音文件不存在或已被清理');
    expect(player.find('audio').exists()).toBe(false);
  });

  it('lists the calls of a page with Chinese names and a 播放录音 button only where there is a recording', async () => {
    const asked: URL[] = [];
    vi.stubGlobal('fetch', vi.fn((input: string) => {
      const url = new URL(input, 'http://localhost');
      asked.push(url);
      const body = url.pathname === '/api/v1/agents'
        ? { items: [{ id: 7, username: 'agent7', displayName: '王小明', extension: '8001' }] }
        : { items: [CALL, { ...CALL, callId: 'x2', hasRecording: false, agentId: null, agentExtension: null, agentAnsweredAt: null, endReason: 'cancelled' }, { ...CALL, callId: 'x3', hasRecording: false, recordingExpiredAt: '2026-06-01T03:07:00.000Z' }], total: 41, limit: 20, offset: 0 };
      return Promise.resolve(new Response(JSON.stringify(body), { status: 200 }));
    }));
    const page = mount(CallsPage, { global: { plugins: [ElementPlus] } });
    await flushPromises();
    const calls = asked.find((u) => u.pathname === '/api/v1/calls');
    expect(calls?.searchParams.get('limit')).toBe('20');
    expect(calls?.searchParams.get('offset')).toBe('0');
    expect(page.text()).toContain('共 41 通');
    const rows = page.findAll('.el-table__body tr').map((tr) => tr.text());
    expect(rows[0]).toContain('呼入');
    expect(rows[0]).toContain('13800138000');
    expect(rows[0]).toContain('王小明（8001）');
    expect(rows[0]).toContain('00:12');
    expect(rows[0]).toContain('03:09');
    expect(rows[0]).toContain('正常挂机 · 主叫挂机');
    expect(rows[0]).toContain('人工接通');
    expect(rows[1]).toContain('未接通即挂断');
    expect(page.findAll('button').filter((b) => b.text() === '播放录音')).toHaveLength(1);
    // A recording deleted after RECORDING_RETENTION_DAYS says so instead of offering a 410.
    expect(rows[2]).toContain('已过期');
    expect(rows[1]).not.toContain('已过期');
  });
});
