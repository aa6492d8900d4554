import type { QueueEventType } from './acd-record-repository.js';
import type { AgentState } from './agent.js';
import type { OnMaxWait } from './parse-queues.js';

/** Ring this agent for this caller; the glue dials `extension` with timeout = the queue's ringTimeoutS. */
export interface OfferEvent {
  readonly callId: string;
  readonly queue: string;
  readonly agentId: string;
  readonly extension: string;
  readonly callerNumber: string;
  /** Since the caller first entered a queue. */
  readonly waitedMs: number;
  /** The work order the caller asked about in the IVR (查询 → 0), or null. */
  readonly orderCode: string | null;
}

/**
 * Stop ringing the agent: the caller left, the offer was not resolved in ringTimeoutS + 10 s, or the
 * agent went not-ready / logged out while it rang (the caller is then offered to the next agent).
 */
export interface OfferWithdrawnEvent {
  readonly callId: string;
  readonly agentId: string;
  readonly extension: string;
  readonly reason: 'abandoned' | 'callback' | 'offer-timeout' | 'agent-not-ready' | 'agent-logged-out';
}

/**
 * The caller waited the queue's maxWaitS. `overflow`: the ACD has moved it (an `overflow` event follows);
 * `callback-offer`: the glue plays the offer, then calls `leave(callId, 'callback')` or `keepWaiting(callId)`;
 * `keep-waiting`: for information.
 */
export interface MaxWaitEvent {
  readonly callId: string;
  readonly queue: string;
  readonly action: OnMaxWait;
}

export interface AnnounceEvent {
  readonly callId: string;
  readonly queue: string;
  readonly position: number;
  readonly expectedWaitS: number;
}

export interface OverflowEvent {
  readonly callId: string;
  readonly from: string;
  readonly to: string;
  /** The new queue's music prompt. */
  readonly music: string;
}

export interface AgentStateEvent {
  readonly agentId: string;
  readonly extension: string;
  readonly from: AgentState;
  readonly to: AgentState;
  readonly reason: string | null;
  readonly at: number;
}

/** A caller's queue event, as stored in queue_events (entered, answered, abandoned …): the wallboard follows it. */
export interface QueueEventEvent {
  readonly event: QueueEventType;
  readonly callId: string;
  readonly queue: string;
  readonly at: number;
}

/** The `Acd.observer` events: the glue (calls/) acts on offer/withdrawn/max-wait/announce; the wallboard listens to all. */
export interface AcdEvents extends Record<string, unknown[]> {
  offer: [event: OfferEvent];
  'offer-withdrawn': [event: OfferWithdrawnEvent];
  'max-wait': [event: MaxWaitEvent];
  announce: [event: AnnounceEvent];
  overflow: [event: OverflowEvent];
  'agent-state': [event: AgentStateEvent];
  'queue-event': [event: QueueEventEvent];
}
