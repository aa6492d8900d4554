import type { Logger } from '../logging/logger.js';
import { InvalidStateError, NotFoundError } from '../shared/app-error.js';
import type { Clock, Timer } from '../shared/clock.js';
import { maskPhone } from '../shared/mask.js';
import { TypedEmitter } from '../shared/typed-emitter.js';
import type { AcdRecordRepository, QueueEventType } from './acd-record-repository.js';
import type { AcdEvents, OfferWithdrawnEvent } from './acd-events.js';
import { AcdRecorder } from './acd-recorder.js';
import { AgentState, RONA_REASON, UNREACHABLE_REASON, type Agent, type AgentSnapshot } from './agent.js';
import { AgentRoster } from './agent-roster.js';
import { HandleTimes, expectedWaitSeconds } from './handle-times.js';
import type { QueueDefinition, QueueDefinitions } from './parse-queues.js';
import { CallerState, QueuedCaller, QueuedCallers } from './queued-caller.js';

export interface AcdOptions {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly records: AcdRecordRepository;
  readonly queues: QueueDefinitions;
  /** Handle time assumed for the expected wait before a queue has any history. Default 180 s. */
  readonly defaultHandleS?: number;
  /** Extra time after ringTimeoutS before the ACD itself fails an unresolved offer as RONA. Default 10 s. */
  readonly offerGuardS?: number;
}

export type OfferFailure = 'no-answer' | 'busy' | 'unavailable' | 'failed';
export type LeaveReason = 'abandoned' | 'callback';

/** The call an agent is on, from answer until its wrap-up ends. */
interface Handling {
  readonly callId: string;
  readonly queue: string;
  readonly answeredAt: number;
  endedAt: number | null;
  wrapUpTimer: Timer | undefined;
}

/**
 * Automatic call distribution: agents, waiting callers and the routing between them. Routing runs
 * whenever something changes: the oldest caller first (first entry time, across every queue that
 * shares agents), to the longest-idle ready agent having all of its queue's skills. The glue
 * (calls/) rings agents on `offer` and reports back (offerAnswered / offerFailed / callEnded).
 * Every agent state change and queue event is written through `records` (in order, not awaited).
 */
export class Acd {
  readonly observer: TypedEmitter<AcdEvents>;
  private readonly roster = new AgentRoster();
  private readonly callers = new QueuedCallers();
  private readonly handling = new Map<string, Handling>();
  /** Skills changed (by an admin) while the agent was on a call: applied at its next ready. */
  private readonly pendingSkills = new Map<string, readonly string[]>();
  /** Agents disabled (by an admin) during a call: logged out when it ends. */
  private readonly pendingLogouts = new Set<string>();
  private readonly recorder: AcdRecorder;
  private readonly handleTimes: HandleTimes;
  private seq = 0;
  private routing = false;
  private routeAgain = false;
  private closed = false;

  constructor(private readonly options: AcdOptions) {
    // A failing listener (wallboard, desktop, glue) is logged; the ACD's own state change stands.
    this.observer = new TypedEmitter<AcdEvents>({
      onListenerError: (event, err) => {
        options.logger.error('acd event listener failed', { event, error: errorText(err), stack: err instanceof Error ? err.stack : undefined });
      },
    });
    this.recorder = new AcdRecorder(options.records, options.logger);
    this.handleTimes = new HandleTimes((options.defaultHandleS ?? 180) * 1000);
  }

  login(input: { agentId: string; extension: string; skills: readonly string[] }): AgentSnapshot {
    this.checkOpen();
    const agent = this.roster.prepareLogin(input, this.now());
    this.pendingSkills.delete(agent.agentId);
    this.pendingLogouts.delete(agent.agentId);
    this.move(agent, AgentState.Ready, null);
    this.route();
    return agent.snapshot();
  }

  /**
   * From ready, not-ready or wrap-up; while a call rings the offer is withdrawn first (the caller goes
   * back to the head of its queue, the phone stops ringing). Refused (InvalidStateError naming the
   * state) during a conversation or when already logged out.
   */
  logout(agentId: string): void {
    const agent = this.roster.get(agentId);
    if (agent.state === AgentState.Busy || agent.state === AgentState.LoggedOut) {
      throw new InvalidStateError(`agent ${agentId} is ${agent.state}: cannot log out now`);
    }
    this.leaveState(agent, AgentState.LoggedOut, null, 'agent-logged-out');
  }

  /**
   * From not-ready, or from wrap-up (ends it). Refused while a call rings: the agent is already
   * taking that call, and a second offer would orphan the first.
   */
  setReady(agentId: string): void {
    const agent = this.roster.get(agentId);
    if (agent.state === AgentState.Offered) throw new InvalidStateError(`agent ${agentId} is ${agent.state}: a call is ringing on its phone`);
    if (agent.state === AgentState.Ready) throw new InvalidStateError(`agent ${agentId} is ${agent.state}: already ready`);
    this.finishWrapUp(agent, AgentState.Ready, null);
    this.route();
  }

  /**
   * From ready, or from wrap-up (ends it), or while a call rings (the offer is withdrawn: the caller
   * goes back to the head of its queue and the phone gets a CANCEL). Refused during a conversation.
   */
  setNotReady(agentId: string, reason: string): void {
    const agent = this.roster.get(agentId);
    if (agent.state === AgentState.NotReady) throw new InvalidStateError(`agent ${agentId} is ${agent.state}: already not ready`);
    this.leaveState(agent, AgentState.NotReady, reason, 'agent-not-ready');
  }

  endWrapUp(agentId: string): void {
    const agent = this.roster.get(agentId);
    if (agent.state !== AgentState.WrapUp) throw new InvalidStateError(`agent ${agentId} is ${agent.state}: not in wrap-up`);
    this.finishWrapUp(agent, AgentState.Ready, null);
    this.route();
  }

  agent(agentId: string): AgentSnapshot | undefined {
    return this.roster.snapshot(agentId);
  }

  /**
   * The agent may no longer work (an admin disabled it): logged out now (a ringing offer is
   * withdrawn first), or, during a call (busy), as soon as the call ends. Nothing when the agent is
   * unknown or already logged out.
   */
  logoutWhenFree(agentId: string): void {
    const agent = this.roster.find(agentId);
    if (agent === undefined || agent.state === AgentState.LoggedOut) return;
    if (agent.state === AgentState.Busy) {
      this.pendingLogouts.add(agentId);
      return;
    }
    this.leaveState(agent, AgentState.LoggedOut, null, 'agent-logged-out');
  }

  /**
   * An admin changed the agent's skills. Applied at once (and routing runs: a waiting caller may
   * now match), except during a call (busy): then at the agent's next ready. Unknown agents are
   * left alone: they bring their skills when they log in.
   */
  updateSkills(agentId: string, skills: readonly string[]): void {
    const agent = this.roster.find(agentId);
    if (agent === undefined) return;
    if (agent.state === AgentState.Busy) {
      this.pendingSkills.set(agentId, [...skills]);
      return;
    }
    this.pendingSkills.delete(agentId);
    agent.skills = new Set(skills);
    this.options.logger.info('agent skills changed', { agentId, skills: [...skills].join(',') });
    this.route();
  }

  /**
   * When the agent's wrap-up ends by itself (ms since the epoch: the call's end plus its queue's
   * wrapUpS); null when the agent is not in a timed wrap-up. Known from the moment the state changes,
   * so the desktop can show the countdown with the `wrap-up` state.
   */
  wrapUpEndsAt(agentId: string): number | null {
    const handling = this.handling.get(agentId);
    if (handling === undefined || handling.endedAt === null || this.roster.snapshot(agentId)?.state !== AgentState.WrapUp) return null;
    const wrapUpS = this.options.queues.get(handling.queue)?.wrapUpS ?? 0;
    return wrapUpS > 0 ? handling.endedAt + wrapUpS * 1000 : null;
  }

  agents(): AgentSnapshot[] {
    return this.roster.snapshots();
  }

  /** Callers not yet connected to an agent (waiting or ringing one), with their queue and first entry time. */
  /**
   * Agents who could take a call of `queue` now or soon: logged in with all its skills and ready,
   * ringing, on a call or in wrap-up (not-ready ones do not count). 0: nobody staffs it.
   */
  staffedFor(queue: string): number {
    return this.roster.staffing(this.queueOrThrow(queue).skills).staffed;
  }

  callersWaiting(): { callId: string; queue: string; enteredAt: number }[] {
    return this.callers.all().map((c) => ({ callId: c.callId, queue: c.queue, enteredAt: c.enteredAt }));
  }

  /**
   * Puts a caller in `queue` and routes at once. `position` is 1 for the next caller of the queue,
   * 0 when an agent is already being offered the call (an `offer` event was emitted before this returns).
   */
  enqueue(input: { callId: string; queue: string; callerNumber: string; orderCode?: string | undefined }): { position: number; expectedWaitS: number } {
    this.checkOpen();
    const queue = this.queueOrThrow(input.queue);
    if (this.callers.has(input.callId) || [...this.handling.values()].some((h) => h.callId === input.callId)) {
      throw new InvalidStateError(`call ${input.callId} is already in the ACD`);
    }
    const caller = new QueuedCaller(input.callId, queue.name, input.callerNumber, this.now(), this.seq++, input.orderCode ?? null);
    this.callers.add(caller);
    this.options.logger.info('caller queued', { callId: caller.callId, queue: queue.name, caller: maskPhone(caller.callerNumber) });
    this.record('entered', caller, { waitMs: 0 });
    this.startQueueTimers(caller, queue);
    this.route();
    const position = this.position(caller.callId);
    return { position, expectedWaitS: position === 0 ? 0 : this.expectedWaitAt(queue, position) };
  }

  /** The caller hung up in the queue (`abandoned`) or asked to be called back (`callback`). A ringing offer is withdrawn. */
  leave(callId: string, reason: LeaveReason): void {
    const caller = this.callers.get(callId);
    if (caller.state === CallerState.Connected) throw new InvalidStateError(`call ${callId} is connected to agent ${caller.agentId ?? ''}: use callEnded`);
    const waitMs = this.now() - caller.enteredAt;
    if (caller.state === CallerState.Offered) this.withdrawOffer(caller, reason);
    this.removeCaller(caller);
    this.record(reason, caller, { waitMs });
    if (reason === 'callback') this.recorder.callbackRequest(callId, caller.queue, caller.callerNumber, this.now());
    this.options.logger.info('caller left the queue', { callId, queue: caller.queue, reason, waitMs });
    this.route();
  }

  /** After a callback offer the caller chose to keep waiting: no further max-wait action in this queue. */
  keepWaiting(callId: string): void {
    const caller = this.callers.get(callId);
    caller.maxWaitDone = true;
  }

  /** 1-based among the callers of its queue not yet being offered; 0 while ringing or connected. */
  position(callId: string): number {
    const caller = this.callers.get(callId);
    if (caller.state !== CallerState.Waiting) return 0;
    return this.callers.waiting(caller.queue).indexOf(caller) + 1;
  }

  /** Call ids waiting in `queue` (not yet offered), next first. */
  waiting(queue: string): string[] {
    this.queueOrThrow(queue);
    return this.callers.waiting(queue).map((c) => c.callId);
  }

  /** Expected wait (s) of a caller entering `queue` now: see expectedWaitSeconds() in handle-times.ts. */
  expectedWaitS(queue: string): number {
    const def = this.queueOrThrow(queue);
    return this.expectedWaitAt(def, this.callers.waiting(queue).length + 1);
  }

  offerAnswered(callId: string, agentId: string): void {
    const { caller, agent } = this.offerOrThrow(callId, agentId);
    const now = this.now();
    caller.clearTimers(this.options.clock);
    caller.transition(CallerState.Connected);
    caller.answeredAt = now;
    this.callers.delete(caller);
    this.handling.set(agentId, { callId, queue: caller.queue, answeredAt: now, endedAt: null, wrapUpTimer: undefined });
    this.move(agent, AgentState.Busy, null);
    this.record('answered', caller, { agent, waitMs: now - caller.enteredAt });
  }

  /** The agent did not answer (`no-answer` → RONA) or could not be rung; the caller goes back to the head. */
  offerFailed(callId: string, agentId: string, reason: OfferFailure): void {
    const { caller, agent } = this.offerOrThrow(callId, agentId);
    this.failOffer(caller, agent, reason);
  }

  /**
   * The call ended. Answered: the agent goes to wrap-up (wrapUpS 0: ready at once). Still queued or
   * ringing: the caller hung up, as `leave(callId, 'abandoned')`. Unknown (never queued, or already
   * ended): nothing, so the glue may call it for every call.
   */
  callEnded(callId: string): void {
    if (this.callers.has(callId)) {
      this.leave(callId, 'abandoned');
      return;
    }
    const entry = [...this.handling.entries()].find(([, h]) => h.callId === callId && h.endedAt === null);
    if (entry === undefined) return;
    const [agentId, handling] = entry;
    const agent = this.roster.get(agentId);
    const now = this.now();
    handling.endedAt = now;
    this.recorder.queueEvent('ended', handling.callId, handling.queue, now, { agent, talkMs: now - handling.answeredAt });
    this.move(agent, AgentState.WrapUp, null);
    if (this.pendingLogouts.delete(agentId)) {
      // Disabled during the call: logged out now (whatever a listener of the wrap-up did meanwhile).
      if (agent.state !== AgentState.LoggedOut) this.leaveState(agent, AgentState.LoggedOut, null, 'agent-logged-out');
      return;
    }
    // A listener of the state change may already have moved the agent on (e.g. not-ready because its
    // desktop is gone): then its wrap-up is over and there is nothing to time.
    if (this.handling.get(agentId) !== handling || agent.state !== AgentState.WrapUp) return;
    const wrapUpS = this.queueOrThrow(handling.queue).wrapUpS;
    if (wrapUpS === 0) {
      this.endWrapUp(agentId);
      return;
    }
    handling.wrapUpTimer = this.setTimer('wrap-up', () => {
      handling.wrapUpTimer = undefined;
      if (this.handling.get(agentId) === handling && agent.state === AgentState.WrapUp) this.endWrapUp(agentId);
    }, wrapUpS * 1000);
  }

  /** Resolves when every record decided so far is stored (or its failure logged). */
  flush(): Promise<void> {
    return this.recorder.flush();
  }

  /** Clears every timer; later calls to enqueue/login are refused. Safe to call twice. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const caller of this.callers.all()) caller.clearTimers(this.options.clock);
    for (const h of this.handling.values()) if (h.wrapUpTimer !== undefined) this.options.clock.clearTimeout(h.wrapUpTimer);
  }

  /** Re-entrant safe: an `offer` listener that reports back synchronously triggers another pass, not recursion. */
  private route(): void {
    if (this.closed) return;
    if (this.routing) {
      this.routeAgain = true;
      return;
    }
    this.routing = true;
    try {
      do {
        this.routeAgain = false;
        const waiting = this.callers.waiting();
        for (const caller of waiting) {
          if (!this.callers.holds(caller) || caller.state !== CallerState.Waiting) continue;
          const queue = this.queueOrThrow(caller.queue);
          const agent = this.roster.longestIdle(queue.skills);
          if (agent !== undefined) this.offer(caller, agent, queue);
        }
      } while (this.mustRouteAgain());
    } finally {
      this.routing = false;
    }
  }

  /** Read through a method: a listener called during the pass may have set it. */
  private mustRouteAgain(): boolean {
    return this.routeAgain && !this.closed;
  }

  private offer(caller: QueuedCaller, agent: Agent, queue: QueueDefinition): void {
    const now = this.now();
    caller.transition(CallerState.Offered);
    caller.agentId = agent.agentId;
    caller.offeredAt = now;
    agent.callId = caller.callId;
    this.move(agent, AgentState.Offered, null);
    const waitedMs = now - caller.enteredAt;
    this.record('offered', caller, { agent, waitMs: waitedMs });
    const guardS = queue.ringTimeoutS + (this.options.offerGuardS ?? 10);
    caller.offerGuardTimer = this.setTimer('offer-guard', () => {
      caller.offerGuardTimer = undefined;
      if (!this.callers.holds(caller) || caller.state !== CallerState.Offered || caller.agentId !== agent.agentId) return;
      this.options.logger.warn('offer not resolved in time; failing it as RONA', { callId: caller.callId, agentId: agent.agentId, afterS: guardS });
      this.emitWithdrawn(caller, agent, 'offer-timeout');
      this.failOffer(caller, agent, 'no-answer');
    }, guardS * 1000);
    this.observer.emit('offer', { callId: caller.callId, queue: caller.queue, agentId: agent.agentId, extension: agent.extension, callerNumber: caller.callerNumber, waitedMs, orderCode: caller.orderCode });
  }

  private failOffer(caller: QueuedCaller, agent: Agent, reason: OfferFailure): void {
    caller.clearOfferGuard(this.options.clock);
    caller.transition(CallerState.Waiting);
    caller.agentId = null;
    caller.offeredAt = null;
    this.move(agent, AgentState.NotReady, reason === 'no-answer' ? RONA_REASON : UNREACHABLE_REASON);
    this.record(reason === 'no-answer' ? 'rona' : 'offer-failed', caller, { agent, waitMs: this.now() - caller.enteredAt });
    if (caller.maxWaitDue) this.onMaxWait(caller);
    this.route();
  }

  /** The caller left while an agent's phone rang: the agent is ready again and keeps its place. */
  private withdrawOffer(caller: QueuedCaller, reason: OfferWithdrawnEvent['reason']): void {
    const agent = this.roster.get(caller.agentId ?? '');
    caller.clearOfferGuard(this.options.clock);
    this.move(agent, AgentState.Ready, null, { keepIdleSince: true });
    this.emitWithdrawn(caller, agent, reason);
  }

  /**
   * The agent leaves its state by its own action (not-ready, logout). While a call rings on its
   * phone, the offer is taken back first: the caller waits again with its first entry time (so at
   * the head of its queue), the glue cancels the ringing phone on `offer-withdrawn`, and routing
   * offers the caller to the next agent once the agent has left.
   */
  private leaveState(agent: Agent, to: AgentState.NotReady | AgentState.LoggedOut, reason: string | null, why: 'agent-not-ready' | 'agent-logged-out'): void {
    const caller = agent.state === AgentState.Offered ? this.offeredTo(agent) : undefined;
    if (caller !== undefined) {
      caller.clearOfferGuard(this.options.clock);
      caller.transition(CallerState.Waiting);
      caller.agentId = null;
      caller.offeredAt = null;
      this.record('offer-withdrawn', caller, { agent, waitMs: this.now() - caller.enteredAt });
      this.emitWithdrawn(caller, agent, why);
    }
    this.finishWrapUp(agent, to, reason);
    if (caller === undefined) return;
    this.options.logger.info('offer withdrawn by the agent; caller back at the head of the queue', { callId: caller.callId, agentId: agent.agentId, reason: why });
    if (caller.maxWaitDue) this.onMaxWait(caller);
    this.route();
  }

  /** The caller ringing `agent`, if any. */
  private offeredTo(agent: Agent): QueuedCaller | undefined {
    return this.callers.all().find((c) => c.state === CallerState.Offered && c.agentId === agent.agentId);
  }

  /** A timer whose callback cannot end the process: a failure is logged with the timer's name. */
  private setTimer(name: string, fn: () => void, ms: number): Timer {
    return this.options.clock.setTimeout(() => {
      try {
        fn();
      } catch (err) {
        this.options.logger.error('acd timer failed', { timer: name, error: errorText(err), stack: err instanceof Error ? err.stack : undefined });
      }
    }, ms);
  }

  private emitWithdrawn(caller: QueuedCaller, agent: Agent, reason: OfferWithdrawnEvent['reason']): void {
    this.observer.emit('offer-withdrawn', { callId: caller.callId, agentId: agent.agentId, extension: agent.extension, reason });
  }

  private startQueueTimers(caller: QueuedCaller, queue: QueueDefinition): void {
    caller.clearTimers(this.options.clock);
    caller.queueEnteredAt = this.now();
    caller.maxWaitDue = false;
    caller.maxWaitDone = false;
    caller.maxWaitTimer = this.setTimer('max-wait', () => {
      caller.maxWaitTimer = undefined;
      if (caller.state === CallerState.Offered) caller.maxWaitDue = true;
      else this.onMaxWait(caller);
    }, queue.maxWaitS * 1000);
    if (queue.announceEveryS > 0) this.scheduleAnnounce(caller, queue);
  }

  private scheduleAnnounce(caller: QueuedCaller, queue: QueueDefinition): void {
    caller.announceTimer = this.setTimer('announce', () => {
      this.scheduleAnnounce(caller, queue);
      if (caller.state !== CallerState.Waiting) return;
      const position = this.position(caller.callId);
      this.observer.emit('announce', { callId: caller.callId, queue: caller.queue, position, expectedWaitS: this.expectedWaitAt(queue, position) });
    }, queue.announceEveryS * 1000);
  }

  private onMaxWait(caller: QueuedCaller): void {
    caller.maxWaitDue = false;
    if (caller.maxWaitDone || !this.callers.holds(caller)) return;
    caller.maxWaitDone = true;
    const queue = this.queueOrThrow(caller.queue);
    this.observer.emit('max-wait', { callId: caller.callId, queue: queue.name, action: queue.onMaxWait });
    if (queue.onMaxWait !== 'overflow' || queue.overflow === null || !this.callers.holds(caller)) return;
    const target = this.queueOrThrow(queue.overflow);
    this.record('overflow', caller, { waitMs: this.now() - caller.enteredAt });
    caller.queue = target.name;
    this.record('entered', caller, { waitMs: this.now() - caller.enteredAt });
    this.startQueueTimers(caller, target);
    this.options.logger.info('caller overflowed', { callId: caller.callId, from: queue.name, to: target.name });
    this.observer.emit('overflow', { callId: caller.callId, from: queue.name, to: target.name, music: target.music });
    this.route();
  }

  /** Leaves wrap-up (storing `wrap-up-ended` and the handle time) or any other state, to `to`. */
  private finishWrapUp(agent: Agent, to: AgentState, reason: string | null): void {
    const handling = this.handling.get(agent.agentId);
    if (agent.state === AgentState.WrapUp && handling !== undefined) {
      if (handling.wrapUpTimer !== undefined) this.options.clock.clearTimeout(handling.wrapUpTimer);
      this.handling.delete(agent.agentId);
      const now = this.now();
      this.handleTimes.add(handling.queue, now - handling.answeredAt);
      this.recorder.queueEvent('wrap-up-ended', handling.callId, handling.queue, now, { agent });
    }
    this.move(agent, to, reason);
  }

  private move(agent: Agent, to: AgentState, reason: string | null, options: { keepIdleSince?: boolean } = {}): void {
    const t = agent.transition(to, reason, this.now(), options);
    const skills = to === AgentState.Ready ? this.pendingSkills.get(agent.agentId) : undefined;
    if (skills !== undefined) {
      this.pendingSkills.delete(agent.agentId);
      agent.skills = new Set(skills);
      this.options.logger.info('agent skills changed', { agentId: agent.agentId, skills: skills.join(',') });
    }
    this.recorder.agentState(agent, t);
    this.options.logger.info('agent state', { agentId: agent.agentId, from: t.from, to: t.to, reason: t.reason });
    this.observer.emit('agent-state', { agentId: agent.agentId, extension: agent.extension, from: t.from, to: t.to, reason: t.reason, at: t.at });
  }

  private record(event: QueueEventType, caller: QueuedCaller, extra: { agent?: Agent; waitMs?: number }): void {
    const at = this.now();
    this.recorder.queueEvent(event, caller.callId, caller.queue, at, extra);
    this.observer.emit('queue-event', { event, callId: caller.callId, queue: caller.queue, at });
  }

  private expectedWaitAt(queue: QueueDefinition, position: number): number {
    const { ready, staffed } = this.roster.staffing(queue.skills);
    return expectedWaitSeconds(position, ready, staffed, this.handleTimes.averageMs(queue.name));
  }

  private removeCaller(caller: QueuedCaller): void {
    caller.clearTimers(this.options.clock);
    this.callers.delete(caller);
  }

  private offerOrThrow(callId: string, agentId: string): { caller: QueuedCaller; agent: Agent } {
    const caller = this.callers.get(callId);
    const agent = this.roster.get(agentId);
    if (caller.state !== CallerState.Offered || caller.agentId !== agentId || agent.state !== AgentState.Offered) {
      throw new InvalidStateError(`call ${callId} is ${caller.state}${caller.agentId === null ? '' : ` with agent ${caller.agentId}`}: not offered to agent ${agentId}`);
    }
    return { caller, agent };
  }

  private queueOrThrow(name: string): QueueDefinition {
    const queue = this.options.queues.get(name);
    if (queue === undefined) throw new NotFoundError(`queue "${name}" is not defined (known: ${[...this.options.queues.keys()].join(', ')})`);
    return queue;
  }

  private checkOpen(): void {
    if (this.closed) throw new InvalidStateError('the ACD is closed');
  }

  private now(): number {
    return this.options.clock.now();
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
