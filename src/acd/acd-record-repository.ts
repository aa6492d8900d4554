import type { AgentState } from './agent.js';

/**
 * What happened to a call in the queues, one row each (table queue_events). Every queue metric
 * (15秒接通率, 放弃率, ASA, AHT) is computed from these rows: see queue-metrics.ts.
 * - `entered`: the call asked for an agent in `queue`.
 * - `offered`: an agent's phone is ringing (agentId, extension; waitMs so far).
 * - `answered`: the agent answered (waitMs from the FIRST entry into any queue).
 * - `abandoned`: the caller hung up waiting or ringing (waitMs).
 * - `rona`: ring, no answer (redirect on no answer); `offer-failed`: the agent's phone was busy/unreachable.
 * - `offer-withdrawn`: the agent went not-ready or logged out while the call rang; the caller waits again
 *   at the head of the queue (the ringing phone gets a CANCEL).
 * - `overflow`: the call left `queue` for another one at max wait (the next row is `entered` there).
 * - `callback`: the caller left asking to be called back (a callback_requests row is created too).
 * - `ended`: the answered call ended (talkMs). `wrap-up-ended`: the agent finished the call's after-work.
 */
export type QueueEventType =
  | 'entered'
  | 'offered'
  | 'answered'
  | 'abandoned'
  | 'rona'
  | 'offer-failed'
  | 'offer-withdrawn'
  | 'overflow'
  | 'callback'
  | 'ended'
  | 'wrap-up-ended';

export const QUEUE_EVENT_TYPES: readonly QueueEventType[] = [
  'entered',
  'offered',
  'answered',
  'abandoned',
  'rona',
  'offer-failed',
  'offer-withdrawn',
  'overflow',
  'callback',
  'ended',
  'wrap-up-ended',
];

export interface QueueEvent {
  readonly callId: string;
  readonly queue: string;
  readonly event: QueueEventType;
  readonly agentId: string | null;
  readonly extension: string | null;
  readonly waitMs: number | null;
  readonly talkMs: number | null;
  /** Stored in UTC with milliseconds. */
  readonly at: Date;
}

export interface AgentStateRecord {
  readonly agentId: string;
  readonly extension: string;
  readonly fromState: AgentState;
  readonly toState: AgentState;
  readonly reason: string | null;
  readonly at: Date;
}

export type CallbackStatus = 'open' | 'dialing' | 'done' | 'failed';

export const CALLBACK_STATUSES: readonly CallbackStatus[] = ['open', 'dialing', 'done', 'failed'];

export interface NewCallbackRequest {
  readonly callId: string;
  readonly queue: string;
  /** Stored in full (it is what we dial back); masked in logs. */
  readonly callerNumber: string;
  readonly requestedAt: Date;
}

export interface CallbackRequest extends NewCallbackRequest {
  readonly id: number;
  readonly status: CallbackStatus;
  /** The agent (or dialer campaign) that took it; null while open. */
  readonly handledBy: string | null;
}

/** A period [from, to): `at >= from AND at < to`. */
export interface Period {
  readonly from: Date;
  readonly to: Date;
}

/** The ACD's storage port; src/db/sequelize-acd-record-repository.ts implements it. */
export interface AcdRecordRepository {
  addQueueEvent(event: QueueEvent): Promise<void>;
  addAgentStateEvent(event: AgentStateRecord): Promise<void>;
  /** Oldest first (at, then insertion order); `queue` narrows to one queue. */
  listQueueEvents(period: Period, queue?: string): Promise<QueueEvent[]>;
  /** Oldest first; `agentId` narrows to one agent. */
  listAgentStateEvents(period: Period, agentId?: string): Promise<AgentStateRecord[]>;
  createCallbackRequest(request: NewCallbackRequest): Promise<CallbackRequest>;
  /** Open requests, oldest first, at most `limit` (default 100). */
  listOpenCallbackRequests(limit?: number): Promise<CallbackRequest[]>;
  /** NotFoundError when there is no request `id`. */
  setCallbackStatus(id: number, status: CallbackStatus, handledBy?: string | null): Promise<void>;
}
