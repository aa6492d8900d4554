import type { CallOutcome, OutboundCaller, OutboundTask } from '../dialer/index.js';
import { DialPlanError, maskTarget } from '../dialer/index.js';
import { Flow, IvrSession, type IvrResult } from '../ivr/index.js';
import type { Logger } from '../logging/logger.js';
import type { CallRecordRepository } from '../metrics/call-records.js';
import type { Clock } from '../shared/clock.js';
import { DialError, type CallLeg, type TelephonyPbx } from '../telephony/call-leg.js';
import { LegIvrChannel } from './leg-ivr-channel.js';

export interface OutboundIvrCallOptions {
  readonly pbx: Pick<TelephonyPbx, 'dial'>;
  /** The flow in service, read at each call (a FlowStore's `current`, so a reloaded file applies to the next call). */
  readonly flow: () => Flow | undefined;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Give up (CANCEL) when not answered within this long (SUPERVISION_RING_TIMEOUT_S). */
  readonly ringTimeoutMs: number;
  /** User part of our From: the number the liaison's phone shows. Default `12345`. */
  readonly fromUser?: string;
  /** Display name of our From. Default `12345热线督办`. */
  readonly fromDisplayName?: string;
  /**
   * Where answered calls are recorded (direction `outbound`, with the keys and IVR path of the run).
   * Attempts that were never answered have no call record; the order's events hold them.
   */
  readonly records?: CallRecordRepository;
}

export const DEFAULT_FROM_USER = '12345';
export const DEFAULT_FROM_DISPLAY_NAME = '12345热线督办';

/**
 * The OutboundCaller of IVR campaigns (supervision, later surveys): dials the task's target through
 * the PBX, runs the flow (from `task.entry` when set) on the answered leg with the task's
 * variables, hangs up at the end and reports the path and keys of the run. Never rejects: a call
 * that could not be placed is a `failed` outcome with the DialError's failure.
 */
export class OutboundIvrCall implements OutboundCaller {
  constructor(private readonly options: OutboundIvrCallOptions) {}

  async call(task: OutboundTask, signal: AbortSignal): Promise<CallOutcome> {
    const { pbx, clock, logger } = this.options;
    const log = logger.child({ task: task.id });
    const flow = this.flowFor(task, log);
    if (flow === undefined) return { kind: 'failed', failure: 'failed' };

    let leg: CallLeg;
    try {
      leg = await pbx.dial(
        {
          target: task.target,
          fromUser: this.options.fromUser ?? DEFAULT_FROM_USER,
          fromDisplayName: this.options.fromDisplayName ?? DEFAULT_FROM_DISPLAY_NAME,
          timeoutMs: this.options.ringTimeoutMs,
        },
        signal,
      );
    } catch (err) {
      if (err instanceof DialError) return { kind: 'failed', failure: err.failure };
      // Nothing was sent: the attempt is stored with the dial plan's reason (DialPlanPbx).
      if (err instanceof DialPlanError) return { kind: 'failed', failure: 'refused-by-dial-plan', reason: err.reason };
      log.error('outbound dial failed', { target: maskTarget(task.target), error: err instanceof Error ? err.message : String(err) });
      return { kind: 'failed', failure: 'failed' };
    }

    const callLog = log.child({ callId: leg.id });
    const fromUser = this.options.fromUser ?? DEFAULT_FROM_USER;
    await this.writeRecord(callLog, async (records) => {
      await records.create({ callId: leg.id, direction: 'outbound', from: fromUser, to: leg.to, startedAt: new Date(leg.startedAt) });
      await records.update(leg.id, { answeredAt: new Date(leg.answeredAt ?? clock.now()) });
    });
    // Closing the dialer (shutdown) ends a call in progress; the IVR run then ends as caller-hangup.
    const onAbort = (): void => {
      void leg.hangup('shutdown');
    };
    signal.addEventListener('abort', onAbort, { once: true });
    let result: IvrResult | undefined;
    try {
      if (signal.aborted) onAbort();
      const session = new IvrSession({ flow, channel: new LegIvrChannel(leg), clock, logger: callLog, variables: task.variables });
      result = await session.run();
    } finally {
      signal.removeEventListener('abort', onAbort);
      await leg.hangup().catch((err: unknown) => {
        callLog.warn('outbound hang-up failed', { error: err instanceof Error ? err.message : String(err) });
      });
      const run = result;
      await this.writeRecord(callLog, (records) =>
        records.update(leg.id, {
          endedAt: new Date(leg.endedAt ?? clock.now()),
          endReason: leg.end?.reason ?? 'hangup',
          hungUpBy: leg.end?.by === 'remote' ? 'callee' : 'system',
          ...(run === undefined ? {} : { digits: run.digits, ivrPath: run.path.join(',') }),
        }),
      );
    }
    return { kind: 'answered', callId: leg.id, ivrPath: result.path, digits: result.digits, variables: result.variables, ivrOutcome: result.outcome };
  }

  /** Runs a record write; a failed write is logged, never fails the call. */
  private async writeRecord(log: Logger, write: (records: CallRecordRepository) => Promise<void>): Promise<void> {
    const records = this.options.records;
    if (records === undefined) return;
    await write(records).catch((err: unknown) => {
      log.error('call record write failed', { error: err instanceof Error ? err.message : String(err) });
    });
  }

  /** The flow to run, started at `task.entry` when the task names one. */
  private flowFor(task: OutboundTask, log: Logger): Flow | undefined {
    const flow = this.options.flow();
    if (flow === undefined) {
      log.error('outbound call not placed: no flow is loaded');
      return undefined;
    }
    if (task.entry === undefined || task.entry === flow.start) return flow;
    if (flow.node(task.entry) === undefined) {
      log.error('outbound call not placed: the flow has no such entry node', { flow: flow.name, entry: task.entry });
      return undefined;
    }
    return new Flow(flow.name, task.entry, flow.nodes, flow.file);
  }
}
