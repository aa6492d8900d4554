import type { Logger } from '../logging/logger.js';
import type { Clock, Timer } from '../shared/clock.js';
import { TypedEmitter } from '../shared/typed-emitter.js';

/** Today's queue figures, computed from stored queue_events rows (see acd/queue-metrics.ts). */
export interface TodayFigures {
  readonly offered: number;
  readonly answered: number;
  readonly abandoned: number;
  /** 15秒接通率 since local midnight, 0..1, null before the first call. */
  readonly serviceLevel: number | null;
  readonly abandonRate: number | null;
  readonly asaS: number | null;
}

/** What the live board reads: the ACD's present state (live by nature) and today's stored figures. */
export interface LiveBoardSources {
  callersWaiting(): readonly { queue: string; enteredAt: number }[];
  agentStates(): readonly string[];
  /** Figures from stored rows since the start of today in the centre's time zone. */
  today(now: number): Promise<TodayFigures>;
}

export interface LiveBoardSnapshot {
  readonly at: string;
  /** Callers waiting for an agent (including those whose agent is ringing), by queue. */
  readonly waiting: Readonly<Record<string, number>>;
  readonly waitingTotal: number;
  /** Seconds the longest-waiting caller has waited (0 when nobody waits). */
  readonly longestWaitS: number;
  /** Agents per state (logged-out agents are not counted). */
  readonly agents: Readonly<Record<string, number>>;
  readonly today: TodayFigures;
}

export interface LiveBoardEvents extends Record<string, unknown[]> {
  update: [snapshot: LiveBoardSnapshot];
}

const EMPTY_TODAY: TodayFigures = { offered: 0, answered: 0, abandoned: 0, serviceLevel: null, abandonRate: null, asaS: null };

/**
 * The wallboard's figures (and the live /metrics gauges): refreshed every `refreshMs`. Waiting callers
 * and agent states are the ACD's present state; today's service level is computed from stored rows,
 * so a restart or a second process shows the same number.
 */
export class LiveBoard {
  readonly observer = new TypedEmitter<LiveBoardEvents>();
  private current: LiveBoardSnapshot;
  private timer: Timer | undefined;
  private stopped = false;

  constructor(
    private readonly sources: LiveBoardSources,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly refreshMs = 5000,
  ) {
    this.current = this.build(EMPTY_TODAY);
  }

  get snapshot(): LiveBoardSnapshot {
    return this.current;
  }

  /** Recomputes now, then every refreshMs until stop(). */
  async start(): Promise<void> {
    await this.refresh();
    this.schedule();
  }

  async refresh(): Promise<LiveBoardSnapshot> {
    let today = this.current.today;
    try {
      today = await this.sources.today(this.clock.now());
    } catch (err) {
      this.logger.warn('live board: today figures failed', { error: err instanceof Error ? err.message : String(err) });
    }
    this.current = this.build(today);
    this.observer.emit('update', this.current);
    return this.current;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
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
    const waiting: Record<string, number> = {};
    let longest = 0;
    const callers = this.sources.callersWaiting();
    for (const c of callers) {
      waiting[c.queue] = (waiting[c.queue] ?? 0) + 1;
      longest = Math.max(longest, now - c.enteredAt);
    }
    const agents: Record<string, number> = {};
    for (const state of this.sources.agentStates()) {
      if (state !== 'logged-out') agents[state] = (agents[state] ?? 0) + 1;
    }
    return { at: new Date(now).toISOString(), waiting, waitingTotal: callers.length, longestWaitS: Math.round(longest / 100) / 10, agents, today };
  }
}
