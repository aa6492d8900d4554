import { InvalidStateError } from '../shared/app-error.js';

/**
 * The state of one agent (话务员) as the ACD sees it.
 *
 * ```
 *                 login                 offer                answered             callEnded
 *   logged-out ─────────► ready ───────────────► offered ─────────────► busy ─────────────► wrap-up
 *        ▲                 ▲ │ ▲                  │  │                                     │  │
 *        │        setReady │ │ │ caller left      │  │ no answer → not-ready('RONA')       │  │
 *        │                 │ ▼ └──────────────────┘  │ busy/unavailable/failed             │  │
 *        │   logout     not-ready(reason) ◄──────────┤   → not-ready('unreachable')         │  │
 *        ├──────────────── │ ▲                       │ setNotReady: offer withdrawn         │  │
 *        │                 │ │ ◄──────────────── setNotReady ──────────────────────────────┘  │
 *        │                 │ └──── ready ◄──── wrapUpS elapsed / endWrapUp ────────────────────┘
 *        └── logout from ready, not-ready, wrap-up, and from offered (the offer is withdrawn first);
 *            never from busy
 * ```
 * While offered, the caller is tied to the agent: every move out of offered either resolves the
 * offer (answered, failed) or withdraws it (caller left; agent not-ready or logged out), so no offer
 * outlives its agent's state. setReady while offered is refused by the ACD.
 */
export enum AgentState {
  LoggedOut = 'logged-out',
  Ready = 'ready',
  NotReady = 'not-ready',
  Offered = 'offered',
  Busy = 'busy',
  WrapUp = 'wrap-up',
}

/** Reasons the ACD itself gives for not-ready; agents give their own (e.g. 休息, 培训). */
export const RONA_REASON = 'RONA';
export const UNREACHABLE_REASON = 'unreachable';

const LEGAL: Readonly<Record<AgentState, readonly AgentState[]>> = {
  [AgentState.LoggedOut]: [AgentState.Ready],
  [AgentState.Ready]: [AgentState.NotReady, AgentState.Offered, AgentState.LoggedOut],
  [AgentState.NotReady]: [AgentState.Ready, AgentState.LoggedOut],
  [AgentState.Offered]: [AgentState.Busy, AgentState.NotReady, AgentState.Ready, AgentState.LoggedOut],
  [AgentState.Busy]: [AgentState.WrapUp],
  [AgentState.WrapUp]: [AgentState.Ready, AgentState.NotReady, AgentState.LoggedOut],
};

/** What the outside sees of an agent: plain data, copied. */
export interface AgentSnapshot {
  readonly agentId: string;
  readonly extension: string;
  readonly skills: readonly string[];
  readonly state: AgentState;
  /** Why not-ready (`RONA`, `unreachable` or the agent's own reason); null in other states. */
  readonly reason: string | null;
  /** When the current state began (ms since the epoch). */
  readonly since: number;
  /** Since when the agent has been waiting for a call: the end of the last call's wrap-up, or the time it became ready. */
  readonly idleSince: number | null;
  /** The call offered to, or handled by, the agent (offered, busy, wrap-up). */
  readonly currentCallId: string | null;
}

/** A state change, as stored in agent_state_events. */
export interface AgentTransition {
  readonly from: AgentState;
  readonly to: AgentState;
  readonly reason: string | null;
  readonly at: number;
}

/** One agent: skills, extension and the state machine above. */
export class Agent {
  private stateValue: AgentState = AgentState.LoggedOut;
  private reasonValue: string | null = null;
  private sinceValue: number;
  private idleSinceValue: number | null = null;
  /** The call offered to or handled by the agent. */
  callId: string | null = null;

  constructor(
    readonly agentId: string,
    public extension: string,
    public skills: ReadonlySet<string>,
    now: number,
  ) {
    this.sinceValue = now;
  }

  get state(): AgentState {
    return this.stateValue;
  }

  get idleSince(): number | null {
    return this.idleSinceValue;
  }

  hasSkills(needed: readonly string[]): boolean {
    return needed.every((s) => this.skills.has(s));
  }

  /**
   * Moves to `to`; throws InvalidStateError naming the agent and both states on an illegal move.
   * `keepIdleSince` is for a withdrawn offer: the agent did nothing wrong and keeps its place.
   */
  transition(to: AgentState, reason: string | null, now: number, options: { keepIdleSince?: boolean } = {}): AgentTransition {
    const from = this.stateValue;
    if (!LEGAL[from].includes(to)) {
      throw new InvalidStateError(`agent ${this.agentId} is ${from}${this.reasonValue === null ? '' : ` (${this.reasonValue})`}: cannot go to ${to}`);
    }
    this.stateValue = to;
    this.reasonValue = to === AgentState.NotReady ? reason : null;
    this.sinceValue = now;
    if (to === AgentState.Ready) {
      if (!(options.keepIdleSince ?? false) || this.idleSinceValue === null) this.idleSinceValue = now;
    } else if (to !== AgentState.Offered) {
      this.idleSinceValue = null;
    }
    if (to === AgentState.Ready || to === AgentState.NotReady || to === AgentState.LoggedOut) this.callId = null;
    return { from, to, reason: this.reasonValue, at: now };
  }

  snapshot(): AgentSnapshot {
    return {
      agentId: this.agentId,
      extension: this.extension,
      skills: [...this.skills],
      state: this.stateValue,
      reason: this.reasonValue,
      since: this.sinceValue,
      idleSince: this.idleSinceValue,
      currentCallId: this.callId,
    };
  }
}
