import type { CallbackRequest } from '../acd/acd-record-repository.js';
import { AgentState, type AgentSnapshot } from '../acd/agent.js';
import { DialPlanError, REFUSED_BY_DIAL_PLAN, type DialPlan } from '../dialer/index.js';
import type { Logger } from '../logging/logger.js';
import type { CallRecordRepository } from '../metrics/call-records.js';
import { AppError, InvalidStateError, NotFoundError } from '../shared/app-error.js';
import type { Clock } from '../shared/clock.js';
import { maskPhone } from '../shared/mask.js';
import { TypedEmitter } from '../shared/typed-emitter.js';
import type { PreviewTaskJson as PreviewTask } from '../shared/wire/agent-desk.js';
import type { TelephonyPbx } from '../telephony/call-leg.js';
import type { SurveyCallResult, SurveyTickets } from '../tickets/survey-port.js';
import type { Ticket, TicketActor } from '../tickets/ticket.js';
import { PreviewCall, type PreviewCallEnd } from './preview-call.js';
import { callbackTaskKey, surveyTaskKey, type TaskClaims } from './task-claims.js';

/** The skill that makes an agent callback staff (回访组). */
export const CALLBACK_SKILL = 'callback';
/** The not-ready reason the ACD shows while an agent works a preview task. */
export const PREVIEW_REASON = 'preview';

/** A task as the desktop shows it before the agent dials (a wire shape: src/shared/wire/agent-desk.ts). */
export type { PreviewTaskJson as PreviewTask, PreviewTaskKind } from '../shared/wire/agent-desk.js';

export interface PreviewAgent {
  readonly agentId: string;
  readonly extension: string;
  readonly skills: readonly string[];
}

/** The ACD as preview dialing needs it: the agent is not-ready (`preview`) while it works a task. */
export interface PreviewAcd {
  agent(agentId: string): AgentSnapshot | undefined;
  setReady(agentId: string): void;
  setNotReady(agentId: string, reason: string): void;
}

export interface PreviewTasksDeps {
  readonly tickets: SurveyTickets;
  readonly callbacks: {
    listOpenCallbackRequests(limit?: number): Promise<CallbackRequest[]>;
    setCallbackStatus(id: number, status: CallbackRequest['status'], handledBy?: string | null): Promise<void>;
  };
  readonly acd: PreviewAcd;
  /** The process's TaskClaims, shared with the survey job. */
  readonly claims: TaskClaims;
  readonly pbx: Pick<TelephonyPbx, 'dial' | 'bridge'>;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly recordingsDir: string;
  readonly ringTimeoutMs: number;
  readonly records?: CallRecordRepository;
  /** Dial target of a resident's number. Default `tel:<phone>`. */
  readonly targetFor?: (phone: string) => string;
  /** Candidates looked at per request. Default 50. */
  readonly batchSize?: number;
  /**
   * Checked when the agent clicks dial, before their phone rings: a refused number is not called,
   * the refusal is stored (a callback request ends `failed`, a survey order gets a
   * `refused-by-dial-plan` attempt) and the click fails with REFUSED_BY_DIAL_PLAN and the reason.
   * `pbx` should be a DialPlanPbx too, so nothing can reach the trunk by another path.
   */
  readonly dialPlan?: DialPlan;
}

export interface PreviewTasksEvents extends Record<string, unknown[]> {
  dialing: [agentId: string, taskId: string, who: 'agent' | 'resident'];
  connected: [agentId: string, taskId: string, callId: string];
  ended: [agentId: string, taskId: string, end: PreviewCallEnd];
}

interface Held {
  readonly task: PreviewTask;
  readonly agent: PreviewAgent;
  readonly target: string;
  call: PreviewCall | undefined;
  attempts: number;
}

const ownerOf = (agentId: string): string => `agent:${agentId}`;

/**
 * Preview dialing for callback staff: hands the next task (a queue callback request first, then a
 * reviewed order to survey) to a ready agent with the `callback` skill, dials it on request
 * (PreviewCall: the agent's phone, then the resident's), and finishes it when the agent stores the
 * result (`surveyRecorded`, `callbackDone`). A task is claimed in TaskClaims (in memory, per process:
 * see task-claims.ts) so two agents never get the same one; the agent is not-ready `preview` from
 * the claim until the task is finished or released, so the ACD offers it no queue call meanwhile.
 */
export class PreviewTasks {
  readonly observer = new TypedEmitter<PreviewTasksEvents>();
  private readonly held = new Map<string, Held>();

  constructor(private readonly deps: PreviewTasksDeps) {}

  /** The task the agent holds (the same one again until finished), or the next free one; undefined when none. */
  async next(agent: PreviewAgent): Promise<PreviewTask | undefined> {
    if (!agent.skills.includes(CALLBACK_SKILL)) throw new AppError('FORBIDDEN', `agent ${agent.agentId} has no ${CALLBACK_SKILL} skill`);
    const mine = this.held.get(agent.agentId);
    if (mine !== undefined) return mine.task;
    this.checkReady(agent.agentId);
    const [callbacks, orders] = await Promise.all([this.deps.callbacks.listOpenCallbackRequests(this.deps.batchSize ?? 50), this.deps.tickets.surveyCandidates(this.deps.batchSize ?? 50)]);
    // From here to the claim nothing awaits: the check-and-claim is atomic in this process.
    if (this.held.has(agent.agentId)) return this.held.get(agent.agentId)?.task;
    this.checkReady(agent.agentId);
    const owner = ownerOf(agent.agentId);
    const picked =
      callbacks.map((c) => ({ key: callbackTaskKey(c.id), make: () => callbackTask(c), phone: c.callerNumber })).find((c) => this.deps.claims.tryClaim(c.key, owner)) ??
      orders
        .filter((t) => !t.doNotCall)
        .map((t) => ({ key: surveyTaskKey(t.code), make: () => surveyTask(t), phone: t.residentPhone }))
        .find((t) => this.deps.claims.tryClaim(t.key, owner));
    if (picked === undefined) return undefined;
    const task = picked.make();
    this.held.set(agent.agentId, { task, agent, target: this.deps.targetFor?.(picked.phone) ?? `tel:${picked.phone}`, call: undefined, attempts: 0 });
    this.deps.acd.setNotReady(agent.agentId, PREVIEW_REASON);
    this.deps.logger.info('preview task claimed', { agentId: agent.agentId, task: task.taskId, phone: maskPhone(picked.phone) });
    return task;
  }

  /** Dials the agent's held task: resolves once the call is placed (its progress comes as events). */
  async dial(agentId: string, taskId: string): Promise<void> {
    const held = this.heldOrThrow(agentId, taskId);
    if (held.call !== undefined) throw new InvalidStateError(`task ${taskId} is already being dialled`);
    const verdict = this.deps.dialPlan?.checkTarget(held.target);
    if (verdict !== undefined && !verdict.allowed) throw await this.refuse(agentId, held, new DialPlanError(verdict.refusal, verdict.reason));
    const call = new PreviewCall(
      { taskId, agentId, agentExtension: held.agent.extension, target: held.target, displayName: held.task.kind === 'survey' ? `回访 ${held.task.ticket?.code ?? ''}` : '回电' },
      { pbx: this.deps.pbx, clock: this.deps.clock, logger: this.deps.logger, recordingsDir: this.deps.recordingsDir, ringTimeoutMs: this.deps.ringTimeoutMs, ...(this.deps.records === undefined ? {} : { records: this.deps.records }) },
    );
    held.call = call;
    // Other processes list only open requests: `dialing` keeps them off this one.
    if (held.task.callback !== null) {
      try {
        await this.deps.callbacks.setCallbackStatus(held.task.callback.id, 'dialing', agentId);
      } catch (err) {
        held.call = undefined;
        throw err;
      }
    }
    call.observer.on('dialing', (who) => this.observer.emit('dialing', agentId, taskId, who));
    call.observer.on('connected', (callId) => this.observer.emit('connected', agentId, taskId, callId));
    void call.run().then(async (end) => {
      held.call = undefined;
      await this.recordAttempt(held, end);
      this.observer.emit('ended', agentId, taskId, end);
    });
  }

  /** Hangs up the agent's preview call; false when there is none. */
  async hangup(agentId: string): Promise<boolean> {
    const call = this.held.get(agentId)?.call;
    if (call === undefined) return false;
    await call.hangup();
    return true;
  }

  /** True while the agent holds a task (reading, dialling or talking). */
  holds(agentId: string): boolean {
    return this.held.has(agentId);
  }

  /** Gives the task back unfinished (a callback request becomes open again); the agent is ready again. */
  async release(agentId: string, taskId?: string): Promise<void> {
    const held = this.heldOrThrow(agentId, taskId);
    if (held.call !== undefined) throw new InvalidStateError(`task ${held.task.taskId} has a call in progress: hang up first`);
    if (held.task.callback !== null) await this.deps.callbacks.setCallbackStatus(held.task.callback.id, 'open', null);
    this.finish(agentId, held);
  }

  /** The desktop went away: its tasks go back to the pool (the agent stays not-ready). */
  abandon(agentId: string): void {
    const held = this.held.get(agentId);
    if (held === undefined || held.call !== undefined) return;
    this.held.delete(agentId);
    this.deps.claims.release(held.task.taskId, ownerOf(agentId));
    if (held.task.callback !== null) {
      void this.deps.callbacks.setCallbackStatus(held.task.callback.id, 'open', null).catch((err: unknown) => {
        this.deps.logger.error('callback request not reopened', { agentId, error: err instanceof Error ? err.message : String(err) });
      });
    }
  }

  /** The survey result of order `code` is stored (the `survey` action): whoever held it is done with it. */
  surveyRecorded(code: string): void {
    this.completeKey(surveyTaskKey(code));
  }

  /** The queue callback is done: marked `done` by the actor, then the task is finished. */
  async callbackDone(id: number, actor: TicketActor): Promise<void> {
    await this.deps.callbacks.setCallbackStatus(id, 'done', String(actor.id));
    this.completeKey(callbackTaskKey(id));
  }

  private completeKey(key: string): void {
    const holder = [...this.held].find(([, h]) => h.task.taskId === key);
    if (holder === undefined) {
      this.deps.claims.release(key);
      return;
    }
    this.finish(holder[0], holder[1]);
  }

  private finish(agentId: string, held: Held): void {
    this.held.delete(agentId);
    this.deps.claims.release(held.task.taskId, ownerOf(agentId));
    const snap = this.deps.acd.agent(agentId);
    if (snap?.state === AgentState.NotReady && snap.reason === PREVIEW_REASON) this.deps.acd.setReady(agentId);
  }

  /**
   * The number may not be dialled: the refusal is stored as the task's result, the task is
   * finished (the agent is ready again) and the error to show the agent is returned.
   */
  private async refuse(agentId: string, held: Held, error: DialPlanError): Promise<DialPlanError> {
    const { task } = held;
    this.deps.logger.warn('preview call refused by the dial plan', { agentId, task: task.taskId, refusal: error.refusal, reason: error.reason });
    try {
      if (task.callback !== null) await this.deps.callbacks.setCallbackStatus(task.callback.id, 'failed', agentId);
      else await this.recordAttempt(held, { kind: 'resident-unreached', failure: REFUSED_BY_DIAL_PLAN }, error.reason);
    } finally {
      this.finish(agentId, held);
    }
    return error;
  }

  private async recordAttempt(held: Held, end: PreviewCallEnd, reason?: string): Promise<void> {
    const ticket = held.task.ticket;
    if (ticket === null || end.kind === 'agent-unreached') return;
    held.attempts++;
    const result: SurveyCallResult =
      end.kind === 'talked' ? 'connected' : end.failure === 'busy' || end.failure === 'no-answer' || end.failure === REFUSED_BY_DIAL_PLAN ? end.failure : 'failed';
    try {
      const order = await this.deps.tickets.surveyCandidates(this.deps.batchSize ?? 50).then((all) => all.find((t) => t.code === ticket.code));
      if (order === undefined) return;
      const history = (await this.deps.tickets.surveyCalls([order])).get(order.id);
      await this.deps.tickets.recordSurveyCall({
        ticketId: order.id,
        round: order.reopenCount,
        attempt: (history?.attempts ?? 0) + 1,
        result,
        satisfaction: null,
        resolution: null,
        target: held.target,
        callId: end.kind === 'talked' ? end.callId : null,
        ...(reason === undefined ? {} : { reason }),
        by: 'agent',
        actor: { id: Number(held.agent.agentId), role: 'agent' },
        at: new Date(this.deps.clock.now()),
      });
    } catch (err) {
      this.deps.logger.error('preview survey attempt not recorded', { ticketId: ticket.code, error: err instanceof Error ? err.message : String(err) });
    }
  }

  private checkReady(agentId: string): void {
    const state = this.deps.acd.agent(agentId)?.state ?? AgentState.LoggedOut;
    if (state !== AgentState.Ready) throw new InvalidStateError(`agent ${agentId} is ${state}: be ready to take a task`);
  }

  private heldOrThrow(agentId: string, taskId: string | undefined): Held {
    const held = this.held.get(agentId);
    if (held === undefined || (taskId !== undefined && held.task.taskId !== taskId)) throw new NotFoundError(`agent ${agentId} holds no task ${taskId ?? ''}`.trim());
    return held;
  }
}

function surveyTask(t: Ticket): PreviewTask {
  return {
    kind: 'survey',
    taskId: surveyTaskKey(t.code),
    ticket: { code: t.code, version: t.version, content: t.content, replyContent: t.replyContent, repliedByName: t.repliedByName, residentName: t.residentName, residentPhone: t.residentPhone },
    callback: null,
  };
}

function callbackTask(c: CallbackRequest): PreviewTask {
  return { kind: 'callback', taskId: callbackTaskKey(c.id), ticket: null, callback: { id: c.id, queue: c.queue, callerNumber: c.callerNumber, requestedAt: c.requestedAt.toISOString() } };
}
