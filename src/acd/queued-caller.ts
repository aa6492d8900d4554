import type { Clock, Timer } from '../shared/clock.js';
import { InvalidStateError, NotFoundError } from '../shared/app-error.js';

/**
 * A caller in the ACD, from `enqueue` until an agent answers (then the call belongs to the agent
 * until wrap-up) or the caller leaves.
 *
 * ```
 *   enqueue ──► waiting ──offer──► offered ──answered──► connected ──callEnded──► (gone)
 *                 ▲  │              │  │
 *                 │  │              │  └── leave (abandoned / callback): offer withdrawn ──► (gone)
 *                 │  │              │
 *                 │  └── leave ─────┼──────────────────────────────────────────────────► (gone)
 *                 └── RONA / failed ┘   (keeps its first entry time: back at the head)
 * ```
 */
export enum CallerState {
  Waiting = 'waiting',
  Offered = 'offered',
  Connected = 'connected',
}

const LEGAL: Readonly<Record<CallerState, readonly CallerState[]>> = {
  [CallerState.Waiting]: [CallerState.Offered],
  [CallerState.Offered]: [CallerState.Waiting, CallerState.Connected],
  [CallerState.Connected]: [],
};

export class QueuedCaller {
  private stateValue = CallerState.Waiting;
  /** The agent ringing or talking; null while waiting. */
  agentId: string | null = null;
  /** When the offer being rung started, and when the agent answered. */
  offeredAt: number | null = null;
  answeredAt: number | null = null;
  /** When the caller entered the current queue (after an overflow: the overflow time). */
  queueEnteredAt: number;
  /** Max wait passed while an agent was ringing: act on it if the offer fails. */
  maxWaitDue = false;
  /** Max wait has been handled in this queue (callback offered, keep waiting): no second time. */
  maxWaitDone = false;
  maxWaitTimer: Timer | undefined;
  announceTimer: Timer | undefined;
  offerGuardTimer: Timer | undefined;

  constructor(
    readonly callId: string,
    public queue: string,
    readonly callerNumber: string,
    /** First entry into any queue: orders callers and measures the wait, across RONA and overflow. */
    readonly enteredAt: number,
    /** Tie-break for callers entering in the same millisecond. */
    readonly seq: number,
    /** The work order the caller asked about in the IVR (progress self-service), for the offer's screen-pop. */
    readonly orderCode: string | null = null,
  ) {
    this.queueEnteredAt = enteredAt;
  }

  get state(): CallerState {
    return this.stateValue;
  }

  transition(to: CallerState): void {
    if (!LEGAL[this.stateValue].includes(to)) {
      throw new InvalidStateError(`call ${this.callId} is ${this.stateValue}: cannot go to ${to}`);
    }
    this.stateValue = to;
  }

  clearOfferGuard(clock: Clock): void {
    if (this.offerGuardTimer !== undefined) clock.clearTimeout(this.offerGuardTimer);
    this.offerGuardTimer = undefined;
  }

  clearTimers(clock: Clock): void {
    if (this.maxWaitTimer !== undefined) clock.clearTimeout(this.maxWaitTimer);
    if (this.announceTimer !== undefined) clock.clearTimeout(this.announceTimer);
    this.maxWaitTimer = undefined;
    this.announceTimer = undefined;
    this.clearOfferGuard(clock);
  }
}

/** The callers in the ACD's queues (waiting or ringing an agent), ordered by first entry time. */
export class QueuedCallers {
  private readonly byId = new Map<string, QueuedCaller>();

  add(caller: QueuedCaller): void {
    this.byId.set(caller.callId, caller);
  }

  has(callId: string): boolean {
    return this.byId.has(callId);
  }

  /** True while `caller` is still the one queued under its call id (a listener may have removed it). */
  holds(caller: QueuedCaller): boolean {
    return this.byId.get(caller.callId) === caller;
  }

  get(callId: string): QueuedCaller {
    const caller = this.byId.get(callId);
    if (caller === undefined) throw new NotFoundError(`call ${callId} is not queued`);
    return caller;
  }

  delete(caller: QueuedCaller): void {
    this.byId.delete(caller.callId);
  }

  all(): QueuedCaller[] {
    return [...this.byId.values()];
  }

  /** Callers not yet offered to an agent, oldest entry first; only those of `queue` when given. */
  waiting(queue?: string): QueuedCaller[] {
    return this.all()
      .filter((c) => c.state === CallerState.Waiting && (queue === undefined || c.queue === queue))
      .sort((a, b) => a.enteredAt - b.enteredAt || a.seq - b.seq);
  }
}
