/**
 * The workspace's own phone (issue 11, browser part): a JsSIP user agent registered over the
 * server's SIP WebSocket (`ws(s)://<this host>/sip`, docs/sip-transports.md) as the signed-in agent's
 * extension, with the agent's own HA1 (`GET /agents/me/sip-credentials`; the server keeps no clear SIP
 * password). A contact registered over ws/wss gets WebRTC offers (src/sip/webrtc-contact.ts), so the
 * server rings this tab like a desk softphone.
 *
 * What the phone panel shows and does: registration state, the ringing call (接听 / 挂断), mute, hold,
 * DTMF (RFC 4733 through the RTCDTMFSender; SIP INFO when the browser has none), the microphone and
 * speaker chosen (setSinkId where the browser has it), and the call's quality from getStats.
 *
 * JsSIP is reached through `PhoneDeps.createUa` so the component tests drive a fake user agent.
 */
import { reactive } from 'vue';
import type { SipCredentialsJson } from '@wire/users';
import { api } from '../api/http';

export type RegistrationState = 'idle' | 'connecting' | 'registered' | 'unregistered' | 'failed' | 'taken-over';
export type CallState = 'ringing' | 'answering' | 'active' | 'ended';

export const REGISTRATION_NAMES: Record<RegistrationState, string> = {
  idle: '未启动',
  connecting: '正在注册…',
  registered: '已注册',
  unregistered: '未注册',
  failed: '注册失败',
  'taken-over': '已被接管',
};

/**
 * The server closes a taken-over phone's WebSocket with this code (src/sip/ws-flow-keeper.ts
 * FLOW_TAKEN_OVER): another tab or the desk softphone registered the extension since.
 */
export const TAKEN_OVER_CLOSE_CODE = 4001;
export const TAKEN_OVER_TEXT = '本分机已在另一个网页或话机上注册，来电转到那里。';

export const MIC_REFUSED = '麦克风权限被拒绝：请在浏览器地址栏左侧的权限设置中允许本站使用麦克风，然后再接听。';
export const MIC_MISSING = '没有找到麦克风：请插好耳麦后再接听。';

/** The subset of JsSIP's RTCSession the phone uses. */
export interface PhoneSession {
  readonly direction: 'incoming' | 'outgoing';
  readonly remote_identity: { readonly uri: { readonly user: string | null }; readonly display_name?: string | null };
  readonly connection: RTCPeerConnection | null | undefined;
  on(event: string, listener: (e: unknown) => void): unknown;
  answer(options: { mediaStream?: MediaStream; mediaConstraints?: MediaStreamConstraints }): void;
  terminate(options?: { status_code?: number }): void;
  mute(options?: { audio?: boolean }): void;
  unmute(options?: { audio?: boolean }): void;
  hold(): boolean;
  unhold(): boolean;
  sendDTMF(tones: string, options?: { transportType?: 'INFO' | 'RFC2833'; duration?: number; interToneGap?: number }): void;
  /** A re-INVITE with a fresh offer (JsSIP's renegotiate); false when one cannot be sent now. */
  renegotiate(): boolean;
}

/** The subset of JsSIP's UA the phone uses. */
export interface PhoneUa {
  on(event: string, listener: (e: unknown) => void): unknown;
  start(): void;
  stop(): void;
  unregister(options?: { all?: boolean }): void;
}

export interface UaConfig {
  readonly wsUrl: string;
  readonly uri: string;
  readonly authorizationUser: string;
  readonly realm: string;
  readonly ha1: string;
}

export interface PhoneDeps {
  readonly createUa: (config: UaConfig) => PhoneUa;
  readonly fetchCredentials: () => Promise<SipCredentialsJson>;
  /** `ws://host/sip` or `wss://host/sip` for the page's own origin. */
  readonly wsUrl: string;
  readonly mediaDevices: Pick<MediaDevices, 'getUserMedia' | 'enumerateDevices'> | undefined;
  /** The element the caller's voice plays in. */
  readonly audio: HTMLAudioElement | undefined;
  /** How often the quality is read during a call, ms. */
  readonly statsIntervalMs?: number;
}

export interface CallQuality {
  /** Inbound jitter, ms. */
  readonly jitterMs: number | null;
  /** Inbound packets lost so far and the share of all expected packets, %. */
  readonly packetsLost: number | null;
  readonly lossPercent: number | null;
  readonly rttMs: number | null;
}

export interface DeviceChoice {
  readonly deviceId: string;
  readonly label: string;
}

export interface PhoneCall {
  state: CallState;
  readonly caller: string;
  muted: boolean;
  held: boolean;
  /** Digits sent in this call. */
  dtmf: string;
}

export interface PhoneState {
  registration: RegistrationState;
  /** Why registration failed or the last action was refused, in words. */
  error: string | null;
  /** The microphone could not be opened (refused or missing). */
  micError: string | null;
  call: PhoneCall | null;
  quality: CallQuality | null;
  inputs: DeviceChoice[];
  outputs: DeviceChoice[];
  inputId: string;
  outputId: string;
  /** The browser can choose the speaker (HTMLMediaElement.setSinkId). */
  sinkSupported: boolean;
}

export interface WebPhone {
  readonly state: PhoneState;
  start(): Promise<void>;
  stop(): void;
  answer(): Promise<void>;
  hangup(): void;
  /**
   * The desk says the server has no call for the agent any more (it left 通话中): a call still up
   * here lost its signalling (its socket was down past the server's grace) and ends here too.
   */
  serverCallEnded(): void;
  toggleMute(): void;
  toggleHold(): void;
  sendDigit(digit: string): void;
  chooseInput(deviceId: string): Promise<void>;
  chooseOutput(deviceId: string): Promise<void>;
  refreshDevices(): Promise<void>;
}

const DTMF_DIGITS = /^[0-9*#A-D]$/;

function micMessage(err: unknown): string {
  const name = err instanceof Error || (typeof err === 'object' && err !== null && 'name' in err) ? String((err).name) : '';
  if (name === 'NotAllowedError' || name === 'SecurityError') return MIC_REFUSED;
  if (name === 'NotFoundError' || name === 'OverconstrainedError') return MIC_MISSING;
  return `无法打开麦克风：${err instanceof Error ? err.message : String(err)}`;
}

/** Reads jitter, loss and round-trip time of the call's audio from a getStats report. */
export function qualityFrom(report: RTCStatsReport): CallQuality {
  let jitterMs: number | null = null;
  let packetsLost: number | null = null;
  let lossPercent: number | null = null;
  let rttMs: number | null = null;
  report.forEach((s: Record<string, unknown>) => {
    if (s.type === 'inbound-rtp' && (s.kind === 'audio' || s.mediaType === 'audio')) {
      if (typeof s.jitter === 'number') jitterMs = Math.round(s.jitter * 1000);
      if (typeof s.packetsLost === 'number') {
        packetsLost = s.packetsLost;
        const received = typeof s.packetsReceived === 'number' ? s.packetsReceived : 0;
        const expected = received + Math.max(0, s.packetsLost);
        lossPercent = expected > 0 ? Math.round((Math.max(0, s.packetsLost) / expected) * 1000) / 10 : 0;
      }
    }
    if (s.type === 'remote-inbound-rtp' && typeof s.roundTripTime === 'number') rttMs = Math.round(s.roundTripTime * 1000);
  });
  return { jitterMs, packetsLost, lossPercent, rttMs };
}

export function createWebPhone(deps: PhoneDeps): WebPhone {
  const state = reactive<PhoneState>({
    registration: 'idle',
    error: null,
    micError: null,
    call: null,
    quality: null,
    inputs: [],
    outputs: [],
    inputId: '',
    outputId: '',
    sinkSupported: deps.audio !== undefined && 'setSinkId' in deps.audio,
  });
  let ua: PhoneUa | null = null;
  let session: PhoneSession | null = null;
  let localStream: MediaStream | null = null;
  let statsTimer: ReturnType<typeof setInterval> | undefined;
  let generation = 0;

  function stopLocal(): void {
    for (const t of localStream?.getTracks() ?? []) t.stop();
    localStream = null;
  }

  function stopStats(): void {
    if (statsTimer !== undefined) clearInterval(statsTimer);
    statsTimer = undefined;
  }

  function endCall(): void {
    stopStats();
    stopLocal();
    if (state.call !== null) state.call.state = 'ended';
    session = null;
    state.quality = null;
    if (deps.audio !== undefined) deps.audio.srcObject = null;
  }

  function playRemote(pc: RTCPeerConnection): void {
    const audio = deps.audio;
    if (audio === undefined) return;
    const attach = (stream: MediaStream): void => {
      audio.srcObject = stream;
      audio.play().catch(() => undefined); // Autoplay refused: the agent's click on 接听 normally allows it.
    };
    pc.addEventListener('track', (e: RTCTrackEvent) => {
      attach(e.streams[0] ?? new MediaStream([e.track]));
    });
    const tracks = pc.getReceivers().map((r) => r.track).filter((t) => t.kind === 'audio');
    if (tracks.length > 0) attach(new MediaStream(tracks));
  }

  function startStats(): void {
    stopStats();
    statsTimer = setInterval(() => {
      const pc = session?.connection;
      if (!pc) return;
      pc.getStats()
        .then((report) => {
          if (session !== null) state.quality = qualityFrom(report);
        })
        .catch(() => undefined);
    }, deps.statsIntervalMs ?? 2000);
  }

  function onSession(s: PhoneSession): void {
    if (s.direction !== 'incoming') return;
    if (session !== null) {
      s.terminate({ status_code: 486 }); // One call at a time: the server offers one call per agent anyway.
      return;
    }
    session = s;
    state.micError = null;
    state.call = { state: 'ringing', caller: s.remote_identity.uri.user ?? s.remote_identity.display_name ?? '', muted: false, held: false, dtmf: '' };
    s.on('peerconnection', (e) => {
      playRemote((e as { peerconnection: RTCPeerConnection }).peerconnection);
    });
    s.on('confirmed', () => {
      if (session !== s || state.call === null) return;
      state.call.state = 'active';
      if (s.connection) playRemote(s.connection);
      startStats();
    });
    s.on('ended', () => {
      if (session === s) endCall();
    });
    s.on('failed', () => {
      if (session === s) endCall();
    });
    s.on('muted', () => {
      if (session === s && state.call !== null) state.call.muted = true;
    });
    s.on('unmuted', () => {
      if (session === s && state.call !== null) state.call.muted = false;
    });
    s.on('hold', () => {
      if (session === s && state.call !== null) state.call.held = true;
    });
    s.on('unhold', () => {
      if (session === s && state.call !== null) state.call.held = false;
    });
  }

  /** Another phone took the extension: this one stops (no reconnect) until the agent takes it back. */
  function takenOver(agent: PhoneUa): void {
    generation++;
    ua = null;
    if (session !== null) session.terminate();
    endCall();
    state.call = null;
    state.registration = 'taken-over';
    state.error = null;
    // After JsSIP has handled the close (it marks the registration gone first, so stop() sends no
    // REGISTER over the dead socket and cancels the reconnect it planned).
    queueMicrotask(() => {
      agent.stop();
    });
  }

  /** Back on a new socket with a call up: a re-INVITE over it moves the call there. */
  function resumeCall(): void {
    const s = session;
    if (s === null || state.call?.state !== 'active') return;
    try {
      s.renegotiate();
    } catch {
      // JsSIP refuses while another re-INVITE is pending; that one carries the call over too.
    }
  }

  function ringingCall(s: PhoneSession): PhoneCall | null {
    return session === s && state.call?.state === 'ringing' ? state.call : null;
  }

  async function openMic(): Promise<MediaStream> {
    if (deps.mediaDevices === undefined) throw Object.assign(new Error('this browser has no microphone access (an https page is needed)'), { name: 'SecurityError' });
    return deps.mediaDevices.getUserMedia({ audio: state.inputId === '' ? true : { deviceId: { exact: state.inputId } }, video: false });
  }

  async function refreshDevices(): Promise<void> {
    if (deps.mediaDevices === undefined) return;
    const all = await deps.mediaDevices.enumerateDevices();
    const pick = (kind: MediaDeviceKind, fallback: string): DeviceChoice[] =>
      all.filter((d) => d.kind === kind).map((d, i) => ({ deviceId: d.deviceId, label: d.label === '' ? `${fallback} ${i + 1}` : d.label }));
    state.inputs = pick('audioinput', '麦克风');
    state.outputs = pick('audiooutput', '扬声器');
  }

  return {
    state,

    async start() {
      if (ua !== null) return;
      const mine = ++generation;
      state.registration = 'connecting';
      state.error = null;
      let creds: SipCredentialsJson;
      try {
        creds = await deps.fetchCredentials();
      } catch (err) {
        if (mine !== generation) return;
        state.registration = 'failed';
        state.error = `取不到分机的 SIP 账号：${err instanceof Error ? err.message : String(err)}`;
        return;
      }
      if (mine !== generation) return;
      const host = new URL(deps.wsUrl).hostname;
      const agent = deps.createUa({ wsUrl: deps.wsUrl, uri: `sip:${creds.extension}@${host}`, authorizationUser: creds.extension, realm: creds.realm, ha1: creds.ha1 });
      ua = agent;
      agent.on('registered', () => {
        if (ua !== agent) return;
        state.registration = 'registered';
        state.error = null;
      });
      // The socket dropped: JsSIP reconnects by itself and registers again; a call up meanwhile is
      // carried over by a re-INVITE on the new socket (the server waits SIP_WS_CALL_GRACE_S for it).
      let dropped = false;
      agent.on('unregistered', () => {
        // JsSIP also reports the registration gone when the socket drops: it is coming back.
        if (ua === agent) state.registration = dropped ? 'connecting' : 'unregistered';
      });
      agent.on('registrationFailed', (e) => {
        if (ua !== agent) return;
        state.registration = 'failed';
        const cause = (e as { cause?: string }).cause;
        state.error = cause === 'Authentication Error' ? '分机或 SIP 密码不对：请管理员重设 SIP 密码' : `注册失败（${cause ?? '未知原因'}）`;
      });
      agent.on('disconnected', (e) => {
        if (ua !== agent) return;
        if ((e as { code?: unknown } | null)?.code === TAKEN_OVER_CLOSE_CODE) {
          takenOver(agent);
          return;
        }
        dropped = true;
        if (state.registration === 'registered' || state.registration === 'unregistered') state.registration = 'connecting';
      });
      agent.on('connected', () => {
        if (ua !== agent || !dropped) return;
        dropped = false;
        resumeCall();
      });
      agent.on('newRTCSession', (e) => {
        if (ua === agent) onSession((e as { session: PhoneSession }).session);
      });
      agent.start();
      refreshDevices().catch(() => undefined);
    },

    stop() {
      generation++;
      const agent = ua;
      ua = null;
      if (session !== null) session.terminate();
      endCall();
      state.call = null;
      if (agent !== null) {
        agent.unregister({ all: false });
        agent.stop();
      }
      state.registration = 'idle';
    },

    async answer() {
      const s = session;
      if (s === null || state.call?.state !== 'ringing') return;
      state.micError = null;
      let stream: MediaStream;
      try {
        stream = await openMic();
      } catch (err) {
        state.micError = micMessage(err);
        return;
      }
      const call = ringingCall(s);
      if (call === null) {
        for (const t of stream.getTracks()) t.stop(); // Hung up while the permission prompt was open.
        return;
      }
      localStream = stream;
      call.state = 'answering';
      s.answer({ mediaStream: stream });
      refreshDevices().catch(() => undefined); // Labels are known once the microphone is allowed.
    },

    hangup() {
      const s = session;
      if (s === null) return;
      s.terminate(state.call?.state === 'ringing' ? { status_code: 486 } : undefined);
      endCall();
    },

    serverCallEnded() {
      const s = session;
      if (s === null || (state.call?.state !== 'active' && state.call?.state !== 'answering')) return;
      try {
        s.terminate(); // Its BYE may find no socket: the call is over for the server anyway.
      } catch {
        // JsSIP refuses to terminate a session it already ended.
      }
      endCall();
    },

    toggleMute() {
      if (session === null || state.call?.state !== 'active') return;
      if (state.call.muted) session.unmute({ audio: true });
      else session.mute({ audio: true });
    },

    toggleHold() {
      if (session === null || state.call?.state !== 'active') return;
      if (state.call.held) session.unhold();
      else session.hold();
    },

    sendDigit(digit) {
      if (session === null || state.call?.state !== 'active' || !DTMF_DIGITS.test(digit)) return;
      const pc = session.connection;
      const rfc4733 = pc?.getSenders().some((sender) => sender.track?.kind === 'audio' && sender.dtmf !== null) ?? false;
      session.sendDTMF(digit, { transportType: rfc4733 ? 'RFC2833' : 'INFO', duration: 160, interToneGap: 80 });
      state.call.dtmf += digit;
    },

    async chooseInput(deviceId) {
      state.inputId = deviceId;
      const pc = session?.connection;
      if (!pc || localStream === null) return;
      try {
        const fresh = await openMic();
        const track = fresh.getAudioTracks()[0];
        const sender = pc.getSenders().find((x) => x.track?.kind === 'audio');
        if (track === undefined || sender === undefined) return;
        await sender.replaceTrack(track);
        if (state.call?.muted === true) track.enabled = false;
        stopLocal();
        localStream = fresh;
      } catch (err) {
        state.micError = micMessage(err);
      }
    },

    async chooseOutput(deviceId) {
      state.outputId = deviceId;
      const audio = deps.audio;
      if (audio?.setSinkId === undefined) return;
      try {
        await audio.setSinkId(deviceId);
      } catch (err) {
        state.error = `无法切换扬声器：${err instanceof Error ? err.message : String(err)}`;
      }
    },

    refreshDevices,
  };
}

/** ws://host/sip on http pages, wss://host/sip on https pages (same host and port as the workspace). */
export function sipWebSocketUrl(location: Pick<Location, 'protocol' | 'host'>): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/sip`;
}

export function fetchOwnSipCredentials(): Promise<SipCredentialsJson> {
  return api.get<SipCredentialsJson>('/agents/me/sip-credentials');
}

let tabPhone: Promise<WebPhone> | null = null;

/** The tab's one phone, on JsSIP (loaded with the desk page only). */
export function useWebPhone(): Promise<WebPhone> {
  tabPhone ??= import('./jssip-ua').then(({ createJsSipUa }) => {
    const audio = document.createElement('audio');
    audio.autoplay = true;
    return createWebPhone({
      createUa: createJsSipUa,
      fetchCredentials: fetchOwnSipCredentials,
      wsUrl: sipWebSocketUrl(window.location),
      mediaDevices: navigator.mediaDevices,
      audio,
    });
  });
  return tabPhone;
}
