import { InvalidStateError, NotFoundError, ValidationError } from '../shared/app-error.js';
import { Agent, AgentState, type AgentSnapshot } from './agent.js';

/** The agents the ACD knows (logged out ones included, so their history of idle time is kept). */
export class AgentRoster {
  private readonly byId = new Map<string, Agent>();

  /** The agent ready to log in (created or updated); refuses an agent already logged in or a shared extension. */
  prepareLogin(input: { agentId: string; extension: string; skills: readonly string[] }, now: number): Agent {
    const issues = [
      ...(input.agentId === '' ? [{ path: 'agentId', message: 'required' }] : []),
      ...(input.extension === '' ? [{ path: 'extension', message: 'required' }] : []),
      ...(input.skills.some((s) => s === '') ? [{ path: 'skills', message: 'must not hold an empty skill' }] : []),
    ];
    if (issues.length > 0) throw new ValidationError(`login: ${issues.map((i) => `${i.path} ${i.message}`).join(', ')}`, issues);
    const clash = [...this.byId.values()].find((a) => a.extension === input.extension && a.agentId !== input.agentId && a.state !== AgentState.LoggedOut);
    if (clash !== undefined) throw new InvalidStateError(`extension ${input.extension} is in use by agent ${clash.agentId}`);
    const agent = this.byId.get(input.agentId) ?? new Agent(input.agentId, input.extension, new Set(input.skills), now);
    if (agent.state !== AgentState.LoggedOut) throw new InvalidStateError(`agent ${agent.agentId} is ${agent.state}: already logged in`);
    agent.extension = input.extension;
    agent.skills = new Set(input.skills);
    this.byId.set(agent.agentId, agent);
    return agent;
  }

  get(agentId: string): Agent {
    const agent = this.byId.get(agentId);
    if (agent === undefined) throw new NotFoundError(`agent ${agentId} is not known to the ACD`);
    return agent;
  }

  /** The agent, or undefined when the ACD has never seen it log in. */
  find(agentId: string): Agent | undefined {
    return this.byId.get(agentId);
  }

  snapshot(agentId: string): AgentSnapshot | undefined {
    return this.byId.get(agentId)?.snapshot();
  }

  snapshots(): AgentSnapshot[] {
    return [...this.byId.values()].map((a) => a.snapshot());
  }

  /**
   * The ready agent with every one of `skills` that has waited longest for a call (smallest idleSince);
   * on a tie, the one that logged in first.
   */
  longestIdle(skills: readonly string[]): Agent | undefined {
    let best: Agent | undefined;
    for (const a of this.byId.values()) {
      if (a.state !== AgentState.Ready || !a.hasSkills(skills)) continue;
      if (best === undefined || (a.idleSince ?? 0) < (best.idleSince ?? 0)) best = a;
    }
    return best;
  }

  /** For the expected wait: ready agents with `skills`, and those ready, ringing, busy or in wrap-up. */
  staffing(skills: readonly string[]): { ready: number; staffed: number } {
    let ready = 0;
    let staffed = 0;
    for (const a of this.byId.values()) {
      if (!a.hasSkills(skills) || a.state === AgentState.LoggedOut || a.state === AgentState.NotReady) continue;
      staffed++;
      if (a.state === AgentState.Ready) ready++;
    }
    return { ready, staffed };
  }
}
