/**
 * The agent's desk on the wire: `/ws/agent` frames both ways (ws/agent-desktop-messages.ts,
 * ws/agent-desktop-server.ts). Dependency-free: only other files of src/shared/wire.
 */
import type { TicketJson } from './tickets.js';

/** The ACD's agent states (acd/agent.ts AgentState). */
export const AGENT_STATES = ['logged-out', 'ready', 'not-ready', 'offered', 'busy', 'wrap-up'] as const;
export type AgentStateName = (typeof AGENT_STATES)[number];

/** What the desk sends. Anything else gets an `error` frame (BAD_MESSAGE). */
export type DeskCommandJson =
  | { type: 'ready' }
  /** `reason`: 1–64 characters (e.g. 休息, 培训). */
  | { type: 'not-ready'; reason: string }
  | { type: 'end-wrap-up' }
  | { type: 'hangup' }
  | { type: 'logout' }
  | { type: 'ping' }
  // Preview dialing (callback staff): take the next task, dial it, or give it back unfinished.
  | { type: 'next-task' }
  | { type: 'dial'; taskId: string }
  | { type: 'release-task'; taskId: string };

/** A caller's earlier work order as the offer carries it (the list form of TicketJson: no events). */
export type CallerHistoryOrderJson = Pick<TicketJson, 'code' | 'requestType' | 'categoryId' | 'content' | 'state' | 'light' | 'urgency' | 'currentUnitId' | 'createdAt'>;

/** An open queue callback request (回电), as every desk lists them. */
export interface CallbackItemJson {
  readonly id: number;
  readonly callId: string;
  readonly queue: string;
  readonly callerNumber: string;
  readonly requestedAt: string;
  readonly status: 'open' | 'dialing' | 'done' | 'failed';
  /** The agent (or dialer campaign) that took it; null while open. */
  readonly handledBy: string | null;
}

export type PreviewTaskKind = 'survey' | 'callback';

/** The order a survey task is about: what the agent reads before dialling. */
export interface PreviewTaskTicketJson {
  readonly code: string;
  readonly version: number;
  readonly content: string;
  readonly replyContent: string | null;
  readonly repliedByName: string | null;
  readonly residentName: string | null;
  readonly residentPhone: string;
}

/** A preview-dial task as the desk shows it before the agent dials. */
export interface PreviewTaskJson {
  readonly kind: PreviewTaskKind;
  /** `survey:<code>` or `callback:<id>`. */
  readonly taskId: string;
  /** The order to survey (null for a queue callback). */
  readonly ticket: PreviewTaskTicketJson | null;
  /** The queue callback request (null for a survey). */
  readonly callback: { readonly id: number; readonly queue: string; readonly callerNumber: string; readonly requestedAt: string } | null;
}

/** How an extension is registered: `browser` (SIP over WebSocket / WebRTC contact), `desk` (UDP, TCP, TLS), none. */
export type RegisteredPhone = 'browser' | 'desk' | null;

/** What the server pushes to the desk (plain messages: the server builds them field by field). */
export type DeskPushJson =
  | {
      type: 'hello';
      agentId: string;
      username: string;
      extension: string;
      state: AgentStateName;
      reason: string | null;
      /** Seconds in this state so far and the call offered or handled (absent when logged out). */
      inStateS?: number;
      callId?: string | null;
      /** In a timed wrap-up (话后处理): seconds left before the agent is ready again by itself. */
      wrapUpLeftS?: number;
      /**
       * How the extension is registered as the desk connects: a browser phone (WebSocket), a desk
       * softphone, or nothing. The page turns its 网页话机 on by itself unless a desk softphone has the
       * extension (and the agent has not chosen in this browser). Absent when the server has WebRTC media
       * off (WEBRTC_MEDIA=false: a browser cannot take calls): the page then does not start it by itself.
       */
      phone?: RegisteredPhone;
    }
  | {
      type: 'state';
      state: AgentStateName;
      reason: string | null;
      at: string;
      callId: string | null;
      /** Entering a timed wrap-up (话后处理): its length in seconds (the queue's wrapUpS). */
      wrapUpLeftS?: number;
    }
  | {
      type: 'offer';
      callId: string;
      queue: string;
      callerNumber: string;
      waitedS: number;
      /** The caller's earlier work orders, newest first. */
      history: readonly CallerHistoryOrderJson[];
      /** The order the caller asked about in the IVR's progress self-service (then pressed 0); null or absent: none. */
      orderCode?: string | null;
    }
  | { type: 'offer-withdrawn'; callId: string; reason: string }
  | { type: 'connected'; callId: string; taskId?: string }
  /** A queue call ended, or a preview call (`taskId`, `result`: talked, agent-unreached, resident-unreached; callId null when never connected). */
  | { type: 'ended'; callId: string | null; taskId?: string; result?: string; failure?: string }
  /** Preview dialing: the task to read before dialling (`ticket` for a survey, `callback` for a queue callback). */
  | ({ type: 'task' } & PreviewTaskJson)
  | { type: 'no-task' }
  /** Preview dialing: the agent's phone rings first, then the resident's. */
  | { type: 'dialing'; taskId: string; who: 'agent' | 'resident' }
  | { type: 'callbacks'; items: readonly CallbackItemJson[] }
  | { type: 'ack'; for: DeskCommandJson['type'] }
  | { type: 'pong' }
  | { type: 'error'; code: string; message: string };
