import type { AcdEvents } from '../acd/acd-events.js';
import type { QueueEventType } from '../acd/acd-record-repository.js';
import type { Logger } from '../logging/logger.js';
import type { Clock, Timer } from '../shared/clock.js';
import { TypedEmitter } from '../shared/typed-emitter.js';
import type { BoardAgentJson, BoardQueueJson, LiveBoardSnapshotJson, TodayFiguresJson } from '../shared/wire/wallboard.js';

/** Today's queue figures and the board's frame are wire shapes (src/shared/wire/wallboard.ts). */
export type TodayFigures = TodayFiguresJson;
export type BoardQueue = BoardQueueJson;
export type BoardAgent = BoardAgentJson;
export type LiveBoardSnapshot = LiveBoardSnapshotJson;

/** One agent as the ACD knows it now. */
export interface BoardAgentSource {
  readonly agentId: string;
  readonly extension: string;
  readonly state: string;
  readonly reason: string | null;
  /** When the current state began (ms since the epoch). */
  readonly since: number;
}

/**
 * What changed, as the board's subscription reports it: `live` (an agent's state, a caller entering
 * or leaving a queue) is pushed within `coalesceMs`; `call` (a call offered, answered or abandoned)
 * also has today's stored figures read again.
 */
export type BoardChange = 'live' | 'call';

/** What the live board reads: the ACD's present state (live by nature) and today's stored figures. */
export interface LiveBoardSources {
  callersWaiting(): readonly { queue: string; enteredAt: number }[];
  /** Every agent the ACD knows, logged-out ones included (they are listed, not counted). */
  agents(): readonly BoardAgentSource[];
  /** The queues to show even when nobody waits in them (name and Chinese name), in display order. */
  queues?(): readonly { name: string; displayName: string }[];
  /** Figures from stored rows since the start of today in the centre's time zone. */
  today(now: number): Promise<TodayFigures>;
  /**
   * Calls `listener` on every change of the live state; returns the unsubscribe. Without it the board
   * is only refreshed every `refreshMs`.
   */
  subscribe?(listener: (change: BoardChange) => void): () => void;
}

export interface LiveBoardEvents extends Record<string, unknown[]> {
  update: [snapshot: LiveBoardSnapshot];
}

export interface LiveBoardOptions {
  /** Everything (today's stored figures included) is read again this often. Default 5000 ms. */
  readonly refreshMs?: number;
  /** Changes reported within this window go out as one update. Default 50 ms. */
  readonly coalesceMs?: number;
  /**
   * After a call's outcome, today's figures are read again this much later (the row reaches the
   * database through the record spool first). Default 300 ms.
   */
  readonly todayDelayMs?: number;
  /** … and at most once per this interval however many calls end (the query reads all of today). Default 1000 ms. */
  readonly todayMinIntervalMs?: number;
}

const EMPTY_TODAY: TodayFigures = { offered: 0, answered: 0, abandoned: 0, answerRate: null, serviceLevel: null, abandonRate: null, asaS: null };

/**
 * The wallboard's figures (and the live /metrics gauges). Waiting callers and agent states are the
 * ACD's present state, pushed on every change it reports (coalesced over `coalesceMs`); today's
 * figures are computed from stored rows, so a restart or a second process shows the same number:
 * read again shortly after each call's outcome and every `refreshMs`.
 */
export class LiveBoard {
  readonly observer = new TypedEmitter<LiveBoardEvents>();
  private current: LiveBoardSnapshot;
  private timer: Timer | undefined;
  private liveTimer: Timer | undefined;
  private todayTimer: Timer | undefined;
  private unsubscribe: (() => void) | undefined;
  private stopped = false;
  /** Today's reads, numbered: a slow read finishing after a newer one does not overwrite it. */
  private todayReads = 0;
  private todayApplied = 0;
  private lastTodayReadAt = Number.NEGATIVE_INFINITY;
  private readonly refreshMs: number;
  private readonly coalesceMs: number;
  private readonly todayDelayMs: number;
  private readonly todayMinIntervalMs: number;

  constructor(
    private readonly sources: LiveBoardSources,
    private readonly clock: Clock,
    private readonly logger: Logger,
    options: LiveBoardOptions = {},
  ) {
    this.refreshMs = options.refreshMs ?? 5000;
    this.coalesceMs = options.coalesceMs ?? 50;
    this.todayDelayMs = options.todayDelayMs ?? 300;
    this.todayMinIntervalMs = options.todayMinIntervalMs ?? 1000;
    this.current = this.build(EMPTY_TODAY);
  }

  get snapshot(): LiveBoardSnapshot {
    return this.current;
  }

  /** Recomputes now, then follows the sources' changes and refreshes every refreshMs until stop(). */
  async start(): Promise<void> {
    await this.refresh();
    if (this.stopped) return;
    this.unsubscribe = this.sources.subscribe?.((change) => {
      this.changed(change);
    });
    this.schedule();
  }

  /** Reads today's figures and the live state now, and pushes the result. */
  async refresh(): Promise<LiveBoardSnapshot> {
    const read = ++this.todayReads;
    this.lastTodayReadAt = this.clock.now();
    let today: TodayFigures | undefined;
    try {
      today = await this.sources.today(this.clock.now());
    } catch (err) {
      this.logger.warn('live board: today figures failed', { error: err instanceof Error ? err.message : String(err) });
    }
    if (today !== undefined && read > this.todayApplied) this.todayApplied = read;
    else today = this.current.today;
    this.publish(today);
    return this.current;
  }

  stop(): void {
    this.stopped = true;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    for (const t of [this.timer, this.liveTimer, this.todayTimer]) if (t !== undefined) this.clock.clearTimeout(t);
    this.timer = this.liveTimer = this.todayTimer = undefined;
  }

  private changed(change: BoardChange): void {
    if (this.stopped) return;
    this.liveTimer ??= this.clock.setTimeout(() => {
      this.liveTimer = undefined;
      if (!this.stopped) this.publish(this.current.today);
    }, this.coalesceMs);
    if (change === 'call' && this.todayTimer === undefined) {
      const delay = Math.max(this.todayDelayMs, this.lastTodayReadAt + this.todayMinIntervalMs - this.clock.now());
      this.todayTimer = this.clock.setTimeout(() => {
        this.todayTimer = undefined;
        if (!this.stopped) void this.refresh();
      }, delay);
    }
  }

  private publish(today: TodayFigures): void {
    this.current = this.build(today);
    this.observer.emit('update', this.current);
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = this.clock.setTimeout(() => {
      void this.refresh().finally(() => {
        this.schedule();
      });
    }, this.refreshMs);
  }

  private build(today: TodayFigures): LiveBoardSnapshot {
    const now = this.clock.now();
    const byQueue = new Map<string, { displayName: string; waiting: number; oldest: number | null }>();
    for (const q of this.sources.queues?.() ?? []) byQueue.set(q.name, { displayName: q.displayName, waiting: 0, oldest: null });
    const waiting: Record<string, number> = {};
    let longest = 0;
    const callers = this.sources.callersWaiting();
    for (const c of callers) {
      waiting[c.queue] = (waiting[c.queue] ?? 0) + 1;
      longest = Math.max(longest, now - c.enteredAt);
      const q = byQueue.get(c.queue) ?? { displayName: c.queue, waiting: 0, oldest: null };
      q.waiting++;
      q.oldest = q.oldest === null ? c.enteredAt : Math.min(q.oldest, c.enteredAt);
      byQueue.set(c.queue, q);
    }
    const agents: Record<string, number> = {};
    const agentList: BoardAgent[] = [];
    for (const a of this.sources.agents()) {
      if (a.state !== 'logged-out') agents[a.state] = (agents[a.state] ?? 0) + 1;
      agentList.push({ agentId: a.agentId, extension: a.extension, state: a.state, reason: a.reason, since: new Date(a.since).toISOString(), inStateS: seconds(now - a.since) });
    }
    agentList.sort((x, y) => x.extension.localeCompare(y.extension) || x.agentId.localeCompare(y.agentId));
    const queues = [...byQueue.entries()].map(([name, q]) => ({ name, displayName: q.displayName, waiting: q.waiting, longestWaitS: q.oldest === null ? 0 : seconds(now - q.oldest) }));
    return { at: new Date(now).toISOString(), waiting, waitingTotal: callers.length, longestWaitS: seconds(longest), queues, agents, agentList, today };
  }
}

/** ms → seconds with one decimal, never negative. */
function seconds(ms: number): number {
  return Math.max(0, Math.round(ms / 100) / 10);
}

/** Queue events that change today's figures (offered, answered, abandoned …). */
const CALL_OUTCOMES: ReadonlySet<QueueEventType> = new Set<QueueEventType>(['entered', 'answered', 'abandoned', 'callback']);

/** What the board needs of the ACD (acd/acd.ts). */
export interface BoardAcd {
  callersWaiting(): readonly { queue: string; enteredAt: number }[];
  agents(): readonly BoardAgentSource[];
  readonly observer: TypedEmitter<AcdEvents>;
}

/**
 * The live board's sources over the ACD: its present state, a push on each of its events (agent
 * state changes, callers entering and leaving queues), the defined queues, and today's figures read
 * by `today` from stored rows.
 */
export function acdBoardSources(acd: BoardAcd, queues: Iterable<{ name: string; displayName: string }>, today: (now: number) => Promise<TodayFigures>): LiveBoardSources {
  const queueList = [...queues].map((q) => ({ name: q.name, displayName: q.displayName }));
  return {
    callersWaiting: () => acd.callersWaiting(),
    agents: () => acd.agents(),
    queues: () => queueList,
    today,
    subscribe(listener) {
      const onAgent = (): void => {
        listener('live');
      };
      const onQueue = (e: AcdEvents['queue-event'][0]): void => {
        listener(CALL_OUTCOMES.has(e.event) ? 'call' : 'live');
      };
      acd.observer.on('agent-state', onAgent);
      acd.observer.on('queue-event', onQueue);
      return () => {
        acd.observer.off('agent-state', onAgent);
        acd.observer.off('queue-event', onQueue);
      };
    },
  };
}
