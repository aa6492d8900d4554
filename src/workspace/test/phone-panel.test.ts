import { flushPromises, mount, type VueWrapper } from '@vue/test-utils';
import ElementPlus from 'element-plus';
import { afterEach, describe, expect, it, vi } from 'vitest';
import PhonePanel from '../src/components/agent/PhonePanel.vue';
import { MIC_REFUSED, TAKEN_OVER_TEXT, createWebPhone, qualityFrom, type PhoneDeps, type PhoneSession, type PhoneUa, type UaConfig, type WebPhone } from '../src/phone/web-phone';

type Listener = (e: unknown) => void;

class Emitter {
  readonly listeners = new Map<string, Listener[]>();
  on(event: string, listener: Listener): this {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
    return this;
  }
  emit(event: string, e: unknown = {}): void {
    for (const l of this.listeners.get(event) ?? []) l(e);
  }
}

/** A JsSIP UA stand-in that records what the phone asked of it. */
class FakeUa extends Emitter implements PhoneUa {
  readonly calls: string[] = [];
  start(): void {
    this.calls.push('start');
  }
  stop(): void {
    this.calls.push('stop');
  }
  unregister(): void {
    this.calls.push('unregister');
  }
}

/** A JsSIP RTCSession stand-in on a fake peer connection with one audio sender able to send RFC 4733. */
class FakeSession extends Emitter implements PhoneSession {
  readonly direction = 'incoming' as const;
  readonly remote_identity = { uri: { user: '13800138000' }, display_name: null };
  readonly done: unknown[][] = [];
  stats: Record<string, unknown>[] = [];
  readonly connection = {
    getSenders: () => [{ track: { kind: 'audio' }, dtmf: {} }],
    getReceivers: () => [],
    addEventListener: () => undefined,
    getStats: () => Promise.resolve(new Map(this.stats.map((s, i) => [String(i), s]))),
  } as unknown as RTCPeerConnection;
  answer(options: unknown): void {
    this.done.push(['answer', options]);
  }
  terminate(options?: unknown): void {
    this.done.push(['terminate', options]);
  }
  mute(): void {
    this.done.push(['mute']);
    this.emit('muted');
  }
  unmute(): void {
    this.done.push(['unmute']);
    this.emit('unmuted');
  }
  hold(): boolean {
    this.done.push(['hold']);
    this.emit('hold');
    return true;
  }
  unhold(): boolean {
    this.done.push(['unhold']);
    this.emit('unhold');
    return true;
  }
  sendDTMF(tones: string, options?: unknown): void {
    this.done.push(['dtmf', tones, options]);
  }
  renegotiate(): boolean {
    this.done.push(['renegotiate']);
    return true;
  }
}

const track = { kind: 'audio', stop: vi.fn(), enabled: true };
const stream = { getTracks: () => [track], getAudioTracks: () => [track] } as unknown as MediaStream;

function rig(overrides: Partial<PhoneDeps> = {}): { phone: WebPhone; ua: () => FakeUa; configs: UaConfig[]; uas: FakeUa[] } {
  let ua: FakeUa | undefined;
  const uas: FakeUa[] = [];
  const configs: UaConfig[] = [];
  const phone = createWebPhone({
    createUa: (c) => {
      configs.push(c);
      ua = new FakeUa();
      uas.push(ua);
      return ua;
    },
    fetchCredentials: () => Promise.resolve({ extension: '8001', realm: 'hotline12345', ha1: 'a'.repeat(32) }),
    wsUrl: 'wss://desk.example:3000/sip',
    mediaDevices: {
      getUserMedia: () => Promise.resolve(stream),
      enumerateDevices: () =>
        Promise.resolve([
          { kind: 'audioinput', deviceId: 'mic-1', label: '耳麦麦克风', groupId: '' },
          { kind: 'audiooutput', deviceId: 'spk-1', label: '耳麦听筒', groupId: '' },
        ] as MediaDeviceInfo[]),
    },
    audio: undefined,
    statsIntervalMs: 1000,
    ...overrides,
  });
  return {
    phone,
    ua: () => {
      if (ua === undefined) throw new Error('no UA made');
      return ua;
    },
    configs,
    uas,
  };
}

const wrappers: VueWrapper[] = [];
function mountPanel(phone: WebPhone): VueWrapper {
  const w = mount(PhonePanel, { props: { phone }, global: { plugins: [ElementPlus] }, attachTo: document.body });
  wrappers.push(w);
  return w;
}

async function ring(ua: FakeUa): Promise<FakeSession> {
  const session = new FakeSession();
  ua.emit('newRTCSession', { session, originator: 'remote' });
  await flushPromises();
  return session;
}

describe('PhonePanel (网页话机)', () => {
  afterEach(() => {
    for (const w of wrappers.splice(0)) w.unmount();
    vi.useRealTimers();
    document.body.innerHTML = '';
  });

  it('registers the agent extension with its HA1 over the page host /sip and shows the state; stop unregisters', async () => {
    const { phone, ua, configs } = rig();
    const w = mountPanel(phone);
    await phone.start();
    expect(configs).toEqual([{ wsUrl: 'wss://desk.example:3000/sip', uri: 'sip:8001@desk.example', authorizationUser: '8001', realm: 'hotline12345', ha1: 'a'.repeat(32) }]);
    expect(ua().calls).toEqual(['start']);
    expect(w.get('[data-test="phone-registration"]').text()).toBe('正在注册…');
    ua().emit('registered');
    await flushPromises();
    expect(w.get('[data-test="phone-registration"]').text()).toBe('已注册');
    phone.stop();
    await flushPromises();
    expect(ua().calls).toEqual(['start', 'unregister', 'stop']);
    expect(w.get('[data-test="phone-registration"]').text()).toBe('未启动');
  });

  it('a wrong SIP password says so', async () => {
    const { phone, ua } = rig();
    const w = mountPanel(phone);
    await phone.start();
    ua().emit('registrationFailed', { cause: 'Authentication Error' });
    await flushPromises();
    expect(w.get('[data-test="phone-registration"]').text()).toBe('注册失败');
    expect(w.get('[data-test="phone-error"]').text()).toContain('SIP 密码不对');
  });

  it('rings with 接听 / 挂断; 接听 answers with the microphone, then mute, hold and the keypad (RFC 4733) act on the call', async () => {
    const { phone, ua } = rig();
    const w = mountPanel(phone);
    await phone.start();
    const session = await ring(ua());
    expect(w.get('[data-test="phone-call-state"]').text()).toBe('来电振铃');
    expect(w.get('[data-test="phone-call"]').text()).toContain('13800138000');
    expect(w.find('[data-test="phone-mute"]').exists()).toBe(false);
    await w.get('[data-test="phone-answer"]').trigger('click');
    await flushPromises();
    expect(session.done).toEqual([['answer', { mediaStream: stream }]]);
    session.emit('confirmed');
    await flushPromises();
    expect(w.get('[data-test="phone-call-state"]').text()).toBe('通话中');

    await w.get('[data-test="phone-mute"]').trigger('click');
    await flushPromises();
    expect(w.get('[data-test="phone-mute"]').text()).toBe('取消静音');
    await w.get('[data-test="phone-hold"]').trigger('click');
    await flushPromises();
    expect(w.get('[data-test="phone-call-state"]').text()).toBe('通话保持中');
    await w.get('[data-test="phone-key-5"]').trigger('click');
    await w.get('[data-test="phone-key-#"]').trigger('click');
    await flushPromises();
    expect(w.get('[data-test="phone-dtmf"]').text()).toBe('已按键 5#');
    expect(session.done.slice(1)).toEqual([['mute'], ['hold'], ['dtmf', '5', { transportType: 'RFC2833', duration: 160, interToneGap: 80 }], ['dtmf', '#', { transportType: 'RFC2833', duration: 160, interToneGap: 80 }]]);

    await w.get('[data-test="phone-hangup"]').trigger('click');
    await flushPromises();
    expect(session.done.at(-1)).toEqual(['terminate', undefined]);
    expect(w.find('[data-test="phone-call"]').exists()).toBe(false);
  });

  it('挂断 while ringing declines with 486; the caller hanging up clears the panel', async () => {
    const { phone, ua } = rig();
    const w = mountPanel(phone);
    await phone.start();
    const first = await ring(ua());
    await w.get('[data-test="phone-hangup"]').trigger('click');
    expect(first.done).toEqual([['terminate', { status_code: 486 }]]);
    const second = await ring(ua());
    expect(w.find('[data-test="phone-call"]').exists()).toBe(true);
    second.emit('ended', { originator: 'remote' });
    await flushPromises();
    expect(w.find('[data-test="phone-call"]').exists()).toBe(false);
  });

  it('a refused microphone shows 麦克风权限被拒绝 and leaves the call ringing', async () => {
    const refused = Object.assign(new Error('Permission denied'), { name: 'NotAllowedError' });
    const { phone, ua } = rig({ mediaDevices: { getUserMedia: () => Promise.reject(refused), enumerateDevices: () => Promise.resolve([]) } });
    const w = mountPanel(phone);
    await phone.start();
    const session = await ring(ua());
    await w.get('[data-test="phone-answer"]').trigger('click');
    await flushPromises();
    expect(w.get('[data-test="phone-mic-error"]').text()).toBe(MIC_REFUSED);
    expect(MIC_REFUSED).toMatch(/^麦克风权限被拒绝/);
    expect(session.done).toEqual([]);
    expect(w.get('[data-test="phone-call-state"]').text()).toBe('来电振铃');
  });

  it('shows jitter and loss from getStats during the call', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const { phone, ua } = rig();
    const w = mountPanel(phone);
    await phone.start();
    const session = await ring(ua());
    session.stats = [
      { type: 'inbound-rtp', kind: 'audio', jitter: 0.012, packetsLost: 5, packetsReceived: 95 },
      { type: 'remote-inbound-rtp', kind: 'audio', roundTripTime: 0.04 },
    ];
    await phone.answer();
    session.emit('confirmed');
    vi.advanceTimersByTime(1000);
    await flushPromises();
    expect(w.get('[data-test="phone-quality"]').text()).toBe('抖动 12 ms · 丢包 5%（5 个） · 往返 40 ms');
    expect(w.get('[data-test="phone-quality"]').classes()).toContain('poor');
  });

  it('lists the microphones and speakers it can choose', async () => {
    const { phone } = rig();
    await phone.start();
    await flushPromises();
    expect(phone.state.inputs).toEqual([{ deviceId: 'mic-1', label: '耳麦麦克风' }]);
    expect(phone.state.outputs).toEqual([{ deviceId: 'spk-1', label: '耳麦听筒' }]);
    await phone.chooseInput('mic-1');
    expect(phone.state.inputId).toBe('mic-1');
  });

  async function activeCall(ua: FakeUa, phone: WebPhone): Promise<FakeSession> {
    const session = await ring(ua);
    await phone.answer();
    session.emit('confirmed');
    await flushPromises();
    return session;
  }

  it('when the server closes the socket with 4001 (another tab or the desk phone registered), it shows 已被接管, stops without reconnecting, and 在此接听 registers again', async () => {
    const { phone, uas, configs } = rig();
    const w = mountPanel(phone);
    await phone.start();
    const first = uas[0];
    if (first === undefined) throw new Error('no UA');
    first.emit('registered');
    first.emit('disconnected', { code: 4001, error: false });
    first.emit('unregistered');
    await flushPromises();
    expect(w.get('[data-test="phone-registration"]').text()).toBe('已被接管');
    expect(w.get('[data-test="phone-taken-over"]').text()).toContain(TAKEN_OVER_TEXT);
    expect(first.calls).toEqual(['start', 'stop']);
    await w.get('[data-test="phone-take-back"]').trigger('click');
    await flushPromises();
    expect(configs).toHaveLength(2);
    expect(uas[1]?.calls).toEqual(['start']);
    expect(w.get('[data-test="phone-registration"]').text()).toBe('正在注册…');
    uas[1]?.emit('registered');
    await flushPromises();
    expect(w.get('[data-test="phone-registration"]').text()).toBe('已注册');
    expect(w.find('[data-test="phone-taken-over"]').exists()).toBe(false);
  });

  it('when the socket drops during a call, it shows 正在注册… and, back on a new socket, re-INVITEs to carry the call over', async () => {
    const { phone, ua } = rig();
    const w = mountPanel(phone);
    await phone.start();
    ua().emit('registered');
    const session = await activeCall(ua(), phone);
    ua().emit('disconnected', { code: 1006, error: true });
    ua().emit('unregistered'); // JsSIP reports the registration gone with the socket
    await flushPromises();
    expect(w.get('[data-test="phone-registration"]').text()).toBe('正在注册…');
    expect(w.get('[data-test="phone-call-state"]').text()).toBe('通话中');
    expect(session.done.map((d) => d[0])).not.toContain('renegotiate');
    ua().emit('connected');
    ua().emit('registered');
    await flushPromises();
    expect(session.done.map((d) => d[0])).toContain('renegotiate');
    expect(w.get('[data-test="phone-registration"]').text()).toBe('已注册');
    expect(w.get('[data-test="phone-call-state"]').text()).toBe('通话中');
    expect(ua().calls).toEqual(['start']);
  });

  it('when the desk says the server ended the call (it left 通话中), the phone ends the call it still holds; a ringing call is left to the server', async () => {
    const { phone, ua } = rig();
    const w = mountPanel(phone);
    await phone.start();
    const ringing = await ring(ua());
    phone.serverCallEnded();
    expect(ringing.done).toEqual([]);
    ringing.emit('failed');
    const session = await activeCall(ua(), phone);
    phone.serverCallEnded();
    await flushPromises();
    expect(session.done.at(-1)).toEqual(['terminate', undefined]);
    expect(w.find('[data-test="phone-call"]').exists()).toBe(false);
  });

  it('qualityFrom ignores video and reads no loss as 0%', () => {
    const q = qualityFrom(new Map([['a', { type: 'inbound-rtp', kind: 'video', jitter: 1 }], ['b', { type: 'inbound-rtp', kind: 'audio', jitter: 0.003, packetsLost: 0, packetsReceived: 50 }]]));
    expect(q).toEqual({ jitterMs: 3, packetsLost: 0, lossPercent: 0, rttMs: null });
  });
});
