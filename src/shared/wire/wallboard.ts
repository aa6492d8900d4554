/** The wallboard on the wire: `/ws/wallboard` frames (metrics/live-board.ts, ws/wallboard-server.ts). Dependency-free. */

import type { BoardNoticeJson } from './notices.js';

/** Today's queue figures, computed from stored queue_events rows since local midnight. */
export interface TodayFiguresJson {
  readonly offered: number;
  readonly answered: number;
  readonly abandoned: number;
  /** 接通率 = answered ÷ offered, 0..1, null before the first call. */
  readonly answerRate: number | null;
  /** 15秒接通率, 0..1, null before the first call. */
  readonly serviceLevel: number | null;
  readonly abandonRate: number | null;
  readonly asaS: number | null;
  /** Notices (公告) in force with today's calls about them (heard, pressed 1); absent where notices are not wired. */
  readonly notices?: readonly BoardNoticeJson[];
}

export interface BoardQueueJson {
  readonly name: string;
  readonly displayName: string;
  readonly waiting: number;
  /** Seconds the longest-waiting caller of this queue has waited (0 when nobody waits). */
  readonly longestWaitS: number;
}

export interface BoardAgentJson {
  readonly agentId: string;
  readonly extension: string;
  /** ready, not-ready, offered, busy, wrap-up, logged-out. */
  readonly state: string;
  /** Why not-ready (RONA, unreachable, or the agent's own reason); null otherwise. */
  readonly reason: string | null;
  /** When the current state began (ISO). */
  readonly since: string;
  /** Seconds in the current state at `at`. */
  readonly inStateS: number;
}

/** The live board's figures at one instant. */
export interface LiveBoardSnapshotJson {
  readonly at: string;
  /** Callers waiting for an agent (including those whose agent is ringing), by queue. */
  readonly waiting: Readonly<Record<string, number>>;
  readonly waitingTotal: number;
  /** Seconds the longest-waiting caller has waited (0 when nobody waits). */
  readonly longestWaitS: number;
  /** Every known queue (and any other a caller waits in), with its waiting callers and longest wait. */
  readonly queues: readonly BoardQueueJson[];
  /** Agents per state (logged-out agents are not counted). */
  readonly agents: Readonly<Record<string, number>>;
  /** Every agent the ACD knows, by extension (logged-out ones too, as `logged-out`). */
  readonly agentList: readonly BoardAgentJson[];
  readonly today: TodayFiguresJson;
}

/** `{"type":"board", …}` from `/ws/wallboard`: on connect and within the coalescing window of every change. */
export interface WallboardFrameJson extends LiveBoardSnapshotJson {
  readonly type: 'board';
}
