/**
 * The supervisor pages' data: the `/ws/wallboard` frame (@wire/wallboard = src/shared/wire/wallboard.ts),
 * the agent directory for names, handling units, and order lists that still work against a server
 * without the workspace's list filters (state, extension, sort).
 */
import type { AgentStateName } from '@wire/agent-desk';
import type { HandlingUnitJson } from '@wire/catalog';
import type { UserJson } from '@wire/users';
import type { BoardAgentJson, BoardQueueJson, TodayFiguresJson, WallboardFrameJson } from '@wire/wallboard';
import { ApiError, api } from './http';
import { LiveSocket } from './live-socket';
import { listTickets, type TicketJson, type TicketQuery, type TicketState } from './tickets';

export type AgentState = AgentStateName;

export const AGENT_STATE_NAMES: Record<AgentState, string> = {
  ready: '空闲',
  'not-ready': '示忙',
  offered: '振铃',
  busy: '通话',
  'wrap-up': '话后',
  'logged-out': '离线',
};

/** The order states are listed in on the wallboard (most urgent to see first). */
export const AGENT_STATE_ORDER: readonly AgentState[] = ['ready', 'offered', 'busy', 'wrap-up', 'not-ready', 'logged-out'];

/** The ACD's own not-ready reasons, in Chinese; an agent's own reason (休息, 培训…) is shown as given. */
const REASON_NAMES: Record<string, string> = {
  RONA: '未接来电',
  unreachable: '话机不通',
  'desktop-disconnected': '工作台断开',
  'signed-out': '已退出登录',
  preview: '外呼任务',
};

/** 空闲, 示忙(休息), 示忙(未接来电), 通话 … */
export function agentStateText(state: string, reason: string | null): string {
  const name = (AGENT_STATE_NAMES as Partial<Record<string, string>>)[state] ?? state;
  if (state !== 'not-ready' || reason === null || reason === '') return name;
  return `${name}(${REASON_NAMES[reason] ?? reason})`;
}

/** Today's figures; an older server does not send `answerRate`. */
export type TodayFigures = Omit<TodayFiguresJson, 'answerRate'> & { readonly answerRate?: number | null };
export type BoardQueue = BoardQueueJson;
export type BoardAgent = BoardAgentJson;

/** `{"type":"board", …}` from `/ws/wallboard`; an older server sends no `queues`, `agentList` or `today.answerRate`. */
export type BoardFrame = Omit<WallboardFrameJson, 'queues' | 'agentList' | 'today'> & Partial<Pick<WallboardFrameJson, 'queues' | 'agentList'>> & { readonly today: TodayFigures };

export function isBoardFrame(msg: unknown): msg is BoardFrame {
  if (typeof msg !== 'object' || msg === null) return false;
  const m = msg as Record<string, unknown>;
  return m.type === 'board' && typeof m.waitingTotal === 'number' && typeof m.today === 'object' && m.today !== null;
}

/** 接通率: the server's, or answered ÷ offered from an older server that does not send it. */
export function answerRateOf(today: TodayFigures): number | null {
  if (today.answerRate !== undefined) return today.answerRate;
  return today.offered === 0 ? null : today.answered / today.offered;
}

/** The queues of a frame: the server's list, or built from `waiting` (older server: no per-queue wait). */
export function queuesOf(frame: BoardFrame): readonly BoardQueue[] {
  if (frame.queues !== undefined) return frame.queues;
  return Object.entries(frame.waiting).map(([name, waiting]) => ({ name, displayName: name, waiting, longestWaitS: 0 }));
}

/** Opens `/ws/wallboard`; `onFrame` gets each board frame (other messages are ignored). */
/** No frame for this long: the wallboard's socket is taken for dead and opened again. */
export const WALLBOARD_SILENT_MS = 15_000;

export function openWallboard(onFrame: (frame: BoardFrame) => void, onSessionEnded: (reason: string) => void, onRefused?: (reason: string) => void): LiveSocket<unknown> {
  return new LiveSocket<unknown>({
    path: '/ws/wallboard',
    onMessage: (msg) => {
      if (isBoardFrame(msg)) onFrame(msg);
    },
    onSessionEnded,
    onRefused: (_code, reason) => onRefused?.(reason),
    // The server pushes the board every 5 s: 15 s of nothing is a connection that died silently.
    watchdog: { silentMs: WALLBOARD_SILENT_MS },
  }).start();
}

/** An agent of the directory (GET /agents): the wallboard's names. */
export type AgentUser = Pick<UserJson, 'id' | 'username' | 'displayName' | 'extension' | 'active'>;

export async function listAgents(): Promise<AgentUser[]> {
  return (await api.get<{ items: AgentUser[] }>('/agents')).items;
}

export type UnitJson = HandlingUnitJson;

export async function listUnits(): Promise<UnitJson[]> {
  return (await api.get<{ items: UnitJson[] }>('/units')).items;
}

/** Most orders a supervisor list loads (pages of 200). */
export const ORDER_LIST_CAP = 1000;
const PAGE = 200;

export interface OrderList {
  readonly items: TicketJson[];
  /** Orders matching on the server (may exceed items.length when capped). */
  readonly total: number;
  /** The server refused the workspace's filters (an older server): they were applied here instead. */
  readonly filteredHere: boolean;
}

/** The current step's deadline: sign-by while dispatched, reply-by while signed or in progress. */
export function stepDeadline(t: Pick<TicketJson, 'state' | 'signBy' | 'replyBy'>): string | null {
  if (t.state === 'dispatched') return t.signBy;
  if (t.state === 'signed' || t.state === 'in-progress') return t.replyBy;
  return null;
}

function byDeadline(a: TicketJson, b: TicketJson): number {
  const da = stepDeadline(a);
  const db = stepDeadline(b);
  if (da === db) return a.id - b.id;
  if (da === null) return 1;
  if (db === null) return -1;
  return Date.parse(da) - Date.parse(db);
}

function matches(t: TicketJson, q: TicketQuery): boolean {
  if (q.state !== undefined && q.state.length > 0 && !q.state.includes(t.state)) return false;
  if (q.extension === 'pending' && t.extensionStatus !== 'pending') return false;
  if (q.unitId !== undefined && t.currentUnitId !== q.unitId) return false;
  if (q.light !== undefined && t.light !== q.light) return false;
  return true;
}

/** Is this the server refusing a list filter it does not know (400 naming state/unitId/extension/sort)? */
function unknownFilter(err: unknown): boolean {
  if (!(err instanceof ApiError) || err.status !== 400) return false;
  const text = `${err.message} ${err.issues.map((i) => `${i.path} ${i.message}`).join(' ')}`;
  return /state|unitId|extension|sort|unrecognized/i.test(text);
}

async function pages(q: TicketQuery, signal?: AbortSignal): Promise<{ items: TicketJson[]; total: number }> {
  const items: TicketJson[] = [];
  let total = 0;
  for (let offset = 0; offset < ORDER_LIST_CAP; offset += PAGE) {
    const page = await listTickets({ ...q, limit: PAGE, offset }, signal);
    items.push(...page.items);
    total = page.total;
    if (page.items.length < PAGE || items.length >= total) break;
  }
  return { items, total };
}

/**
 * Every order matching `q` (up to ORDER_LIST_CAP), by `q.sort` (default: soonest deadline first). A
 * server without the state/unitId/extension/sort filters answers 400: then the orders are listed with
 * the filters it knows (light) and the rest are applied here.
 */
export async function listOrders(q: TicketQuery, signal?: AbortSignal): Promise<OrderList> {
  const sort = q.sort ?? 'deadline';
  const order = (items: TicketJson[]): TicketJson[] => (sort === 'deadline' ? items.sort(byDeadline) : items);
  try {
    const { items, total } = await pages({ ...q, sort }, signal);
    return { items: order(items), total, filteredHere: false };
  } catch (err) {
    if (!unknownFilter(err)) throw err;
  }
  const { items } = await pages({ ...(q.light === undefined ? {} : { light: q.light }) }, signal);
  const mine = order(items.filter((t) => matches(t, q)));
  return { items: mine, total: mine.length, filteredHere: true };
}

/** The unit holding the order now (or the one it was first sent to). */
export function unitIdOf(t: Pick<TicketJson, 'currentUnitId' | 'handlingUnitId'>): number | null {
  return t.currentUnitId ?? t.handlingUnitId;
}

export const SUPERVISION_RESULTS: Record<string, string> = {
  acknowledged: '已确认',
  'not-acknowledged': '未确认',
  busy: '占线',
  'no-answer': '无人接听',
  failed: '呼叫失败',
  'outside-hours': '非工作时间（未拨）',
  'refused-by-dial-plan': '拨号规则拒绝',
};

export const ESCALATION_NAMES: readonly string[] = ['未督办', '一级督办', '二级督办', '三级督办'];

export function escalationName(level: number): string {
  return ESCALATION_NAMES[level] ?? `${level}级督办`;
}

/** One supervision call attempt, as stored on the order (`supervision-call` event). */
export interface SupervisionCall {
  readonly at: string;
  readonly attempt: number | null;
  readonly step: 'sign' | 'reply' | null;
  readonly result: string;
  readonly resultName: string;
  readonly target: string | null;
  readonly note: string | null;
}

/** The order's supervision calls (oldest first) and escalations, from its events. */
export function supervisionOf(t: TicketJson): { calls: SupervisionCall[]; escalations: { at: string; level: number }[] } {
  const calls: SupervisionCall[] = [];
  const escalations: { at: string; level: number }[] = [];
  for (const e of t.events ?? []) {
    if (e.type === 'supervision-call') {
      const d = e.data;
      const result = typeof d.result === 'string' ? d.result : 'unknown';
      calls.push({
        at: e.at,
        attempt: typeof d.attempt === 'number' ? d.attempt : null,
        step: d.step === 'sign' || d.step === 'reply' ? d.step : null,
        result,
        resultName: SUPERVISION_RESULTS[result] ?? result,
        target: typeof d.target === 'string' ? d.target : null,
        note: e.note,
      });
    } else if (e.type === 'escalated') {
      escalations.push({ at: e.at, level: typeof e.data.to === 'number' ? e.data.to : 0 });
    }
  }
  return { calls, escalations };
}

/** The order states a review or an extension decision applies to. */
export const REVIEW_STATES: readonly TicketState[] = ['replied'];
export const EXTENSION_STATES: readonly TicketState[] = ['signed', 'in-progress'];
