import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { DialPlanError, maskTarget, type CallFailure } from '../dialer/index.js';
import type { Logger } from '../logging/logger.js';
import type { CallRecordRepository } from '../metrics/call-records.js';
import type { Clock } from '../shared/clock.js';
import { TypedEmitter } from '../shared/typed-emitter.js';
import { DialError, type CallLeg, type DialFailure, type TelephonyPbx } from '../telephony/call-leg.js';

export interface PreviewCallDeps {
  readonly pbx: Pick<TelephonyPbx, 'dial' | 'bridge'>;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Recordings go to `<dir>/<YYYY-MM-DD>/<resident call id>.wav`, as queue calls do. */
  readonly recordingsDir: string;
  /** How long each phone (the agent's, then the resident's) may ring. */
  readonly ringTimeoutMs: number;
  /** Outbound call records (direction `outbound`, the agent and the recording on them). Optional. */
  readonly records?: CallRecordRepository;
  /** User part of our From toward the resident: the number the resident's phone shows. Default `12345`. */
  readonly fromUser?: string;
}

export interface PreviewCallRequest {
  /** The task being worked (`survey:<code>`, `callback:<id>`), sent to the agent's phone as X-Hotline-Task. */
  readonly taskId: string;
  readonly agentId: string;
  readonly agentExtension: string;
  /** The resident: `tel:<digits>`, or a SIP URI. */
  readonly target: string;
  /** What the agent's softphone shows as the caller, e.g. `回访 20261122-000123`. */
  readonly displayName: string;
}

/** How a preview call ended. */
export type PreviewCallEnd =
  | { readonly kind: 'talked'; readonly callId: string; readonly endedBy: 'agent' | 'resident'; readonly talkMs: number; readonly recordingPath: string | undefined }
  | { readonly kind: 'agent-unreached'; readonly failure: DialFailure }
  /** `refused-by-dial-plan`: the resident's number may not be dialled (nothing was sent to the trunk). */
  | { readonly kind: 'resident-unreached'; readonly failure: CallFailure };

export interface PreviewCallEvents extends Record<string, unknown[]> {
  /** A phone is ringing: first the agent's, then the resident's. */
  dialing: [who: 'agent' | 'resident'];
  /** Both legs are bridged; `callId` is the resident leg's call id (the call record's). */
  connected: [callId: string];
  ended: [end: PreviewCallEnd];
}

/**
 * Preview dialing (DOMAIN.md "callback staff"): the agent has read the task and asked to dial.
 * Their softphone (`ext:<extension>`) rings first; once they answer, the resident is called with
 * our number and, once answered, both legs are bridged and recorded (left resident, right agent),
 * as a queue call is. Either side hanging up ends both. `hangup()` (the desktop) ends it at any stage.
 */
export class PreviewCall {
  readonly observer = new TypedEmitter<PreviewCallEvents>();
  private readonly log: Logger;
  private readonly abort = new AbortController();
  private readonly legs: CallLeg[] = [];

  constructor(
    readonly request: PreviewCallRequest,
    private readonly deps: PreviewCallDeps,
  ) {
    this.log = deps.logger.child({ agentId: request.agentId, task: request.taskId });
  }

  /** Places the call; resolves once it is over and both legs are hung up. Never rejects for a failed call. */
  async run(): Promise<PreviewCallEnd> {
    const end = await this.place().finally(() => this.hangupAll());
    this.log.info('preview call ended', { ...end });
    this.observer.emit('ended', end);
    return end;
  }

  /** Ends the call: cancels a ringing phone, or hangs up the conversation. Safe to call twice. */
  async hangup(): Promise<void> {
    this.abort.abort();
    await this.hangupAll();
  }

  private async place(): Promise<PreviewCallEnd> {
    const { request, deps } = this;
    this.observer.emit('dialing', 'agent');
    const agent = await this.dial('agent', {
      target: `ext:${request.agentExtension}`,
      fromUser: deps.fromUser ?? '12345',
      fromDisplayName: request.displayName,
      timeoutMs: deps.ringTimeoutMs,
      headers: { 'X-Hotline-Task': request.taskId },
    });
    if (agent instanceof DialError) return { kind: 'agent-unreached', failure: agent.failure };
    if (agent instanceof DialPlanError) return { kind: 'agent-unreached', failure: 'failed' };

    // The agent hanging up while the resident's phone rings cancels that call.
    const onAgentGone = (): void => {
      this.abort.abort();
    };
    agent.events.once('ended', onAgentGone);
    this.observer.emit('dialing', 'resident');
    this.log.info('preview call: dialling the resident', { target: maskTarget(request.target) });
    const resident = await this.dial('resident', { target: request.target, fromUser: deps.fromUser ?? '12345', timeoutMs: deps.ringTimeoutMs });
    agent.events.off('ended', onAgentGone);
    if (resident instanceof DialPlanError) return { kind: 'resident-unreached', failure: 'refused-by-dial-plan' };
    if (resident instanceof DialError) return { kind: 'resident-unreached', failure: resident.failure };
    if (agent.state === 'ended' || this.abort.signal.aborted) {
      return { kind: 'resident-unreached', failure: 'cancelled' };
    }
    return this.talk(agent, resident);
  }

  private async talk(agent: CallLeg, resident: CallLeg): Promise<PreviewCallEnd> {
    const { deps, request } = this;
    const recordingPath = await this.recordingPath(resident.id);
    const bridge = deps.pbx.bridge(resident, agent, { recordingPath });
    const answeredAt = deps.clock.now();
    this.log.info('preview call connected', { callId: resident.id, extension: request.agentExtension });
    await this.writeRecord(resident, async (records) => {
      await records.create({ callId: resident.id, direction: 'outbound', from: deps.fromUser ?? '12345', to: resident.to, startedAt: new Date(resident.startedAt) });
      await records.update(resident.id, {
        answeredAt: new Date(resident.answeredAt ?? answeredAt),
        agentId: Number.isInteger(Number(request.agentId)) ? Number(request.agentId) : null,
        agentExtension: request.agentExtension,
        agentAnsweredAt: new Date(agent.answeredAt ?? answeredAt),
        recordingPath: bridge.recordingPath ?? null,
      });
    });
    this.observer.emit('connected', resident.id);
    const endedBy = await new Promise<'agent' | 'resident'>((resolve) => {
      if (resident.state === 'ended') resolve('resident');
      else if (agent.state === 'ended') resolve('agent');
      resident.events.once('ended', () => {
        resolve('resident');
      });
      agent.events.once('ended', () => {
        resolve('agent');
      });
      this.abort.signal.addEventListener('abort', () => {
        resolve('agent');
      });
    });
    await bridge.close();
    await this.hangupAll();
    const now = deps.clock.now();
    await this.writeRecord(resident, (records) =>
      records.update(resident.id, {
        endedAt: new Date(resident.endedAt ?? now),
        endReason: resident.end?.reason ?? 'hangup',
        hungUpBy: endedBy === 'resident' ? 'callee' : 'caller',
      }),
    );
    return { kind: 'talked', callId: resident.id, endedBy, talkMs: now - answeredAt, recordingPath: bridge.recordingPath };
  }

  /** The answered leg, or the DialError (or DialPlanError) that says why not (aborted: `cancelled`). */
  private async dial(who: 'agent' | 'resident', request: Parameters<TelephonyPbx['dial']>[0]): Promise<CallLeg | DialError | DialPlanError> {
    if (this.abort.signal.aborted) return new DialError('cancelled', `preview call to the ${who} cancelled`);
    try {
      const leg = await this.deps.pbx.dial(request, this.abort.signal);
      this.legs.push(leg);
      if (this.aborted()) {
        await leg.hangup();
        return new DialError('cancelled', `preview call to the ${who} cancelled`);
      }
      return leg;
    } catch (err) {
      if (err instanceof DialPlanError) {
        this.log.warn('preview call: refused by the dial plan', { who, reason: err.reason });
        return err;
      }
      const error = err instanceof DialError ? err : new DialError('failed', `preview call to the ${who} failed`, { cause: err });
      this.log.info('preview call: not answered', { who, failure: error.failure });
      return error;
    }
  }

  /** Read through a method: the signal may have aborted while a dial was awaited. */
  private aborted(): boolean {
    return this.abort.signal.aborted;
  }

  private async hangupAll(): Promise<void> {
    await Promise.all(
      this.legs.map((leg) =>
        leg.hangup().catch((err: unknown) => {
          this.log.warn('preview hang-up failed', { callId: leg.id, error: err instanceof Error ? err.message : String(err) });
        }),
      ),
    );
  }

  private async writeRecord(resident: CallLeg, write: (records: CallRecordRepository) => Promise<void>): Promise<void> {
    const records = this.deps.records;
    if (records === undefined) return;
    await write(records).catch((err: unknown) => {
      this.log.error('call record write failed', { callId: resident.id, error: err instanceof Error ? err.message : String(err) });
    });
  }

  private async recordingPath(callId: string): Promise<string> {
    const day = new Date(this.deps.clock.now()).toISOString().slice(0, 10);
    const path = join(this.deps.recordingsDir, day, `${callId.replace(/[^A-Za-z0-9._-]/g, '_')}.wav`);
    await mkdir(dirname(path), { recursive: true });
    return path;
  }
}
