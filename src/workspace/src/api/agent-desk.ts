/**
 * The agent's desk over `/ws/agent` (src/ws/agent-desktop-messages.ts, agent-desktop-server.ts): the
 * typed frames both ways, and one store per browser tab holding what the pages show — the agent's
 * state (with when it began and the wrap-up countdown), the offer ringing, the call connected, the
 * open callback requests, the preview-dial task, the last error. The frames are typed by the wire
 * types (@wire/agent-desk = src/shared/wire/agent-desk.ts), the server's own.
 *
 * Times are taken from this browser's clock when a frame arrives (the server's `at` may be skewed);
 * after a reconnect `hello` says how long the agent has been in its state and how much wrap-up is left.
 */
import type { AgentStateName, CallbackItemJson, CallerHistoryOrderJson, DeskCommandJson, DeskPushJson, PreviewTaskJson, PreviewTaskTicketJson, RegisteredPhone } from '@wire/agent-desk';
import { computed, reactive, watch, type ComputedRef, type Ref } from 'vue';
import { ringer } from '../components/agent/ringer';
import { LiveSocket, type SocketStatus } from './live-socket';
import { clearSession, session } from './session-store';
import { api } from './http';
import type { Resolution, Satisfaction, TicketJson } from './tickets';

export type { AgentStateName } from '@wire/agent-desk';
export const AGENT_STATE_NAMES: Record<AgentStateName, string> = {
  'logged-out': '未签入',
  ready: '示闲（等待来电）',
  'not-ready': '示忙',
  offered: '来电振铃',
  busy: '通话中',
  'wrap-up': '话后处理',
};

/** The reasons the desk offers for 示忙 (the server takes any 1–64 characters). */
export const NOT_READY_REASONS = ['小休', '培训', '会议', '其他'] as const;

/** Reasons the server itself gives for not-ready, in words. */
export const SYSTEM_REASON_NAMES: Readonly<Record<string, string>> = {
  RONA: '来电未接听',
  unreachable: '话机无法接通',
  'desktop-disconnected': '工作台断开',
  'signed-out': '已退出登录',
  preview: '回访任务',
};

export function reasonText(reason: string | null | undefined): string {
  if (reason === null || reason === undefined || reason === '') return '';
  return SYSTEM_REASON_NAMES[reason] ?? reason;
}

/** A caller's earlier work order as the offer carries it. */
export type HistoryOrder = CallerHistoryOrderJson;
export type CallbackItem = CallbackItemJson;
export type PreviewTask = PreviewTaskJson;
/** What the desk sends. */
export type DeskCommand = DeskCommandJson;
/** What the server pushes. */
export type DeskPush = DeskPushJson;

export const OFFER_WITHDRAWN_NAMES: Readonly<Record<string, string>> = {
  'agent-not-ready': '您已示忙，来电转给其他话务员',
  'agent-logged-out': '您已签出，来电转给其他话务员',
  abandoned: '来电人已挂机',
  callback: '来电人选择了回电',
  overflow: '来电已溢出到其他队列',
};

export const PREVIEW_RESULT_NAMES: Readonly<Record<string, string>> = {
  talked: '已通话',
  'agent-unreached': '您的话机未接通',
  'resident-unreached': '市民未接通',
};

export const FAILURE_NAMES: Readonly<Record<string, string>> = {
  busy: '占线',
  'no-answer': '无人接听',
  failed: '呼叫失败',
  unavailable: '无法接通',
  'refused-by-dial-plan': '号码不允许外呼',
};

/** The call ringing on the agent's phone. */
export interface Offer {
  readonly callId: string;
  readonly queue: string;
  readonly callerNumber: string;
  readonly waitedS: number;
  readonly history: readonly HistoryOrder[];
  /** The order the caller asked about in the IVR's progress self-service before pressing 0, or null. */
  readonly orderCode: string | null;
  /** When the offer arrived (this browser's clock, ms). */
  readonly receivedAt: number;
}

/** The queue call the agent took (kept after it ends, until the next one, for the form and the panel). */
export interface CurrentCall {
  readonly callId: string;
  readonly queue: string;
  readonly callerNumber: string;
  readonly history: readonly HistoryOrder[];
  /** The order asked about in the IVR (see Offer.orderCode). */
  readonly orderCode: string | null;
  readonly connectedAt: number;
  endedAt: number | null;
}

export type TaskPhase = 'idle' | 'dialing-agent' | 'dialing-resident' | 'connected' | 'ended';

export interface DeskError {
  readonly code: string;
  readonly message: string;
  readonly at: number;
}

export interface DeskState {
  agentId: string | null;
  extension: string | null;
  /** True once `hello` arrived on the current socket. */
  greeted: boolean;
  /** How the extension was registered when the last `hello` came (undefined: not said). */
  registeredPhone: RegisteredPhone | undefined;
  state: AgentStateName;
  reason: string | null;
  /** When the current state began (ms, this browser's clock). */
  stateSince: number;
  /** When a timed wrap-up ends by itself (ms), else null. */
  wrapUpEndsAt: number | null;
  offer: Offer | null;
  /** Why the last offer was withdrawn (shown until the next offer). */
  withdrawn: string | null;
  call: CurrentCall | null;
  callbacks: readonly CallbackItem[];
  task: PreviewTask | null;
  taskPhase: TaskPhase;
  taskCall: { callId: string; connectedAt: number } | null;
  taskEnd: { result: string; failure: string | null } | null;
  /** The last `next-task` found nothing. */
  noTask: boolean;
  /** The command sent and not yet acknowledged (buttons show it as loading). */
  pending: DeskCommand['type'] | null;
  error: DeskError | null;
}

/** How the store talks to the server: LiveSocket in the app, a fake in tests. */
export interface DeskTransport {
  readonly status: Ref<SocketStatus>;
  start(): void;
  stop(): void;
  send(msg: DeskCommand): boolean;
}

export interface DeskTransportHandlers {
  readonly onMessage: (msg: DeskPush) => void;
  readonly onOpen: () => void;
  readonly onSessionEnded: (reason: string) => void;
  readonly onRefused: (code: number, reason: string) => void;
}

export interface AgentDeskOptions {
  readonly transport: (handlers: DeskTransportHandlers) => DeskTransport;
  readonly now?: () => number;
  /** The login ended (signed out elsewhere, expired): the app goes to the login page. */
  readonly onSessionEnded?: (reason: string) => void;
  /** Where the current call is kept across a reload (per tab); none in tests unless given. */
  readonly storage?: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;
}

export interface AgentDesk {
  readonly state: DeskState;
  readonly socketStatus: ComputedRef<SocketStatus>;
  /** The server refused the desk for good (4403: not an agent, no extension). */
  readonly refused: ComputedRef<string | null>;
  start(): void;
  stop(): void;
  /** Sends a command; false (and an error shown) when the socket is down. */
  send(cmd: DeskCommand): boolean;
  ready(): boolean;
  notReady(reason: string): boolean;
  endWrapUp(): boolean;
  hangup(): boolean;
  nextTask(): boolean;
  dial(): boolean;
  releaseTask(): boolean;
  /** The preview task was finished over HTTP (rating stored, callback done): the desk forgets it. */
  taskFinished(): void;
  /** The task's order as read again (after a version conflict): its version and texts replace the old. */
  refreshTaskTicket(ticket: PreviewTaskTicketJson): void;
  clearError(): void;
  /** Feeds one frame (what the transport does; tests call it directly). */
  handle(msg: DeskPush): void;
}

const CALL_KEY = 'hotline.desk.call';

export function createAgentDesk(options: AgentDeskOptions): AgentDesk {
  const now = options.now ?? (() => Date.now());
  const storage = options.storage;
  const state: DeskState = reactive({
    agentId: null,
    extension: null,
    greeted: false,
    registeredPhone: undefined,
    state: 'logged-out',
    reason: null,
    stateSince: now(),
    wrapUpEndsAt: null,
    offer: null,
    withdrawn: null,
    call: restoreCall(),
    callbacks: [],
    task: null,
    taskPhase: 'idle',
    taskCall: null,
    taskEnd: null,
    noTask: false,
    pending: null,
    error: null,
  });
  const refusedReason = reactive<{ value: string | null }>({ value: null });

  function restoreCall(): CurrentCall | null {
    if (storage === undefined) return null;
    try {
      const raw = storage.getItem(CALL_KEY);
      return raw === null ? null : (JSON.parse(raw) as CurrentCall);
    } catch {
      return null;
    }
  }

  function keepCall(): void {
    if (storage === undefined) return;
    if (state.call === null) storage.removeItem(CALL_KEY);
    else storage.setItem(CALL_KEY, JSON.stringify(state.call));
  }

  function setError(code: string, message: string): void {
    state.error = { code, message, at: now() };
  }

  const transport = options.transport({
    onMessage: (msg) => {
      handle(msg);
    },
    onOpen: () => {
      state.greeted = false;
    },
    onSessionEnded: (reason) => {
      options.onSessionEnded?.(reason);
    },
    onRefused: (code, reason) => {
      refusedReason.value = code === 4403 && /no extension/.test(reason) ? '您的账号没有分机号，无法接听来电，请联系管理员配置分机。' : `服务器拒绝了工作台连接（${code} ${reason}）`;
    },
  });

  function handle(msg: DeskPush): void {
    const t = now();
    switch (msg.type) {
      case 'hello': {
        state.greeted = true;
        state.registeredPhone = msg.phone;
        state.agentId = msg.agentId;
        state.extension = msg.extension;
        state.state = msg.state;
        state.reason = msg.reason;
        state.stateSince = t - (msg.inStateS ?? 0) * 1000;
        state.wrapUpEndsAt = msg.wrapUpLeftS === undefined ? null : t + msg.wrapUpLeftS * 1000;
        state.pending = null;
        // A call kept from before the reload is over unless the server still has it.
        const callId = msg.callId ?? null;
        if (state.call !== null && state.call.endedAt === null && state.call.callId !== callId) {
          state.call.endedAt = t;
          keepCall();
        }
        if (state.offer !== null && state.offer.callId !== callId) state.offer = null;
        return;
      }
      case 'state':
        state.state = msg.state;
        state.reason = msg.reason;
        state.stateSince = t;
        state.wrapUpEndsAt = msg.state === 'wrap-up' && msg.wrapUpLeftS !== undefined ? t + msg.wrapUpLeftS * 1000 : null;
        // The phone stopped ringing without an answer (RONA, not-ready, logged out): no offer any more.
        if (msg.state !== 'offered' && msg.state !== 'busy' && state.offer !== null) state.offer = null;
        return;
      case 'offer':
        // The server may send the offer after `connected` (it looks up the caller's history first):
        // the call is answered already, so the offer only completes it (no ringing).
        if (state.call !== null && state.call.callId === msg.callId) {
          state.call = {
            ...state.call,
            queue: msg.queue !== '' ? msg.queue : state.call.queue,
            callerNumber: msg.callerNumber !== '' ? msg.callerNumber : state.call.callerNumber,
            history: msg.history,
            orderCode: msg.orderCode ?? state.call.orderCode,
          };
          keepCall();
          return;
        }
        state.offer = { callId: msg.callId, queue: msg.queue, callerNumber: msg.callerNumber, waitedS: msg.waitedS, history: msg.history, orderCode: msg.orderCode ?? null, receivedAt: t };
        state.withdrawn = null;
        return;
      case 'offer-withdrawn':
        if (state.offer?.callId === msg.callId) state.offer = null;
        state.withdrawn = OFFER_WITHDRAWN_NAMES[msg.reason] ?? `来电已撤回（${msg.reason}）`;
        return;
      case 'connected':
        if (msg.taskId !== undefined) {
          state.taskPhase = 'connected';
          state.taskCall = { callId: msg.callId, connectedAt: t };
          return;
        }
        if (state.call?.callId === msg.callId && state.call.endedAt === null) return;
        {
          const offer = state.offer?.callId === msg.callId ? state.offer : null;
          state.call = { callId: msg.callId, queue: offer?.queue ?? '', callerNumber: offer?.callerNumber ?? '', history: offer?.history ?? [], orderCode: offer?.orderCode ?? null, connectedAt: t, endedAt: null };
        }
        state.offer = null;
        keepCall();
        return;
      case 'ended':
        if (msg.taskId !== undefined) {
          state.taskPhase = 'ended';
          state.taskEnd = { result: msg.result ?? 'talked', failure: msg.failure ?? null };
          return;
        }
        if (state.call !== null && state.call.callId === msg.callId && state.call.endedAt === null) {
          state.call.endedAt = t;
          keepCall();
        }
        if (state.offer?.callId === msg.callId) state.offer = null;
        return;
      case 'task':
        // The same task again (the agent holds it until it is finished) keeps its progress.
        if (state.task?.taskId !== msg.taskId) resetTask();
        state.task = { kind: msg.kind, taskId: msg.taskId, ticket: msg.ticket, callback: msg.callback };
        state.noTask = false;
        return;
      case 'no-task':
        state.task = null;
        state.noTask = true;
        return;
      case 'dialing':
        state.taskPhase = msg.who === 'agent' ? 'dialing-agent' : 'dialing-resident';
        state.taskEnd = null;
        return;
      case 'callbacks':
        state.callbacks = msg.items;
        return;
      case 'ack':
        if (state.pending === msg.for) state.pending = null;
        // 示闲 while holding a preview task gives it back too (the server releases it).
        if (msg.for === 'release-task' || (msg.for === 'ready' && state.task !== null)) resetTask();
        return;
      case 'pong':
        return;
      case 'error':
        state.pending = null;
        setError(msg.code, msg.message);
        // A number the dial plan refuses: the server stored the refusal and finished the task.
        if (msg.code === 'REFUSED_BY_DIAL_PLAN') resetTask();
        return;
    }
  }

  function resetTask(): void {
    state.task = null;
    state.taskPhase = 'idle';
    state.taskCall = null;
    state.taskEnd = null;
  }

  function send(cmd: DeskCommand): boolean {
    if (!transport.send(cmd)) {
      setError('OFFLINE', '与服务器的连接已断开，正在重新连接，请稍后再试');
      return false;
    }
    state.pending = cmd.type;
    state.error = null;
    return true;
  }

  return {
    state,
    socketStatus: computed(() => transport.status.value),
    refused: computed(() => refusedReason.value),
    start: () => {
      transport.start();
    },
    stop: () => {
      transport.stop();
    },
    send,
    ready: () => send({ type: 'ready' }),
    notReady: (reason) => send({ type: 'not-ready', reason }),
    endWrapUp: () => send({ type: 'end-wrap-up' }),
    hangup: () => send({ type: 'hangup' }),
    nextTask: () => {
      state.noTask = false;
      return send({ type: 'next-task' });
    },
    dial: () => (state.task === null ? false : send({ type: 'dial', taskId: state.task.taskId })),
    releaseTask: () => (state.task === null ? false : send({ type: 'release-task', taskId: state.task.taskId })),
    taskFinished: resetTask,
    refreshTaskTicket: (ticket) => {
      if (state.task === null || state.task.ticket?.code !== ticket.code) return;
      state.task = { ...state.task, ticket };
    },
    clearError: () => {
      state.error = null;
    },
    handle,
  };
}

/** The app's transport: a LiveSocket to /ws/agent. */
export function liveTransport(handlers: DeskTransportHandlers): DeskTransport {
  const socket = new LiveSocket<DeskPush, DeskCommand>({
    path: '/ws/agent',
    onMessage: handlers.onMessage,
    onOpen: handlers.onOpen,
    onSessionEnded: handlers.onSessionEnded,
    onRefused: handlers.onRefused,
    watchdog: { ping: { message: { type: 'ping' }, everyMs: 20_000, answerWithinMs: 10_000 } },
  });
  return {
    status: socket.status,
    start: () => {
      socket.start();
    },
    stop: () => {
      socket.stop();
    },
    send: (msg) => socket.send(msg),
  };
}

let shared: AgentDesk | undefined;
let teardown: (() => void) | undefined;
/** Set by stopDesk() (our own 退出): a 4401 that still arrives is that sign-out, not an expiry. */
let signingOut = false;

export interface SharedDeskOptions {
  readonly transport?: (handlers: DeskTransportHandlers) => DeskTransport;
  /** Where the browser goes when the session ends (tests replace it). */
  readonly navigate?: (url: string) => void;
}

/** Where the desk sends the browser when the server ends the session (4401). */
export function sessionEndedUrl(ownSignOut: boolean): string {
  // After our own 退出 a 4401 ('signed out' as the server says) is that sign-out, not an expiry.
  return ownSignOut ? '/login' : '/login?expired=1';
}

/**
 * The tab's one desk (one socket whatever page the agent is on, so an offer rings on the search page
 * too and the server does not mark the agent not-ready when they leave the desk page). App.vue starts
 * it for a signed-in agent and stops it (stopDesk) before 退出; pages take the same instance.
 */
export function useAgentDesk(options: SharedDeskOptions = {}): AgentDesk {
  if (shared !== undefined) return shared;
  signingOut = false;
  const navigate =
    options.navigate ??
    ((url: string) => {
      window.location.assign(url);
    });
  const desk = createAgentDesk({
    transport: options.transport ?? liveTransport,
    storage: sessionStorage,
    onSessionEnded: () => {
      const url = sessionEndedUrl(signingOut);
      clearSession();
      navigate(url);
    },
  });
  shared = desk;
  desk.start();
  // Audio may start only after a user gesture: the first click or key press on the page unlocks it.
  const unlock = (): void => {
    ringer.unlock();
  };
  window.addEventListener('pointerdown', unlock, { capture: true });
  window.addEventListener('keydown', unlock, { capture: true });
  const stopRing = watch(
    () => desk.state.offer,
    (offer) => {
      if (offer === null) ringer.stop();
      else ringer.start('12345 来电', `来电号码 ${offer.callerNumber}（${offer.queue}）`);
    },
  );
  const close = (): void => {
    desk.stop();
    ringer.stop();
    sessionStorage.removeItem(CALL_KEY);
    window.removeEventListener('pointerdown', unlock, { capture: true });
    window.removeEventListener('keydown', unlock, { capture: true });
    stopRing();
    stopWatch();
    if (shared === desk) shared = undefined;
    teardown = undefined;
  };
  const stopWatch = watch(
    () => session.token,
    (token) => {
      if (token === undefined) close();
    },
  );
  teardown = close;
  return desk;
}

/** The running desk, if any (App.vue's banner reads it without opening one). */
export function currentDesk(): AgentDesk | undefined {
  return shared;
}

/**
 * Our own 退出: closes the desk socket before POST /auth/logout (the server closes /ws/agent with
 * 4401 'signed out' when the session ends, and that must not read as an expired login).
 */
export function stopDesk(): void {
  signingOut = true;
  teardown?.();
}

/**
 * The preview call's rating (回访结果, src/api/surveys.routes.ts): the `survey` action with the order's
 * version; 满意/基本满意/未评价 close the order, 不满意 reopens it. Finishes the agent's task (ready again).
 */
export function saveSurveyResult(code: string, body: { version: number; satisfaction: Satisfaction; resolution: Resolution | null; note?: string; callId?: string }): Promise<TicketJson> {
  return api.post<TicketJson>(`/surveys/${encodeURIComponent(code)}/result`, body);
}

/** The queue callback request is done (回电完成); finishes the agent's task. */
export function finishCallback(id: number): Promise<{ id: number; status: 'done' }> {
  return api.post<{ id: number; status: 'done' }>(`/callbacks/${id}/done`);
}
