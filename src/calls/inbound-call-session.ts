import { performance } from 'node:perf_hooks';
import type { Logger } from '../logging/logger.js';
import type { CallRecordPatch, CallRecordRepository, HungUpBy } from '../metrics/call-records.js';
import type { IvrChannel } from '../ivr/ivr-channel.js';
import { CALL_ID_VARIABLE, CALLER_NUMBER_VARIABLE, ORDER_CODE_VARIABLE } from '../ivr/index.js';
import { maskPhone } from '../shared/mask.js';
import type { CallLeg, LegEnd } from '../telephony/call-leg.js';
import type { CallTelemetrySink } from './call-telemetry-sink.js';
import { LegIvrChannel } from './leg-ivr-channel.js';
import type { QueuedCallEnd } from './queued-call-end.js';


/** What the IVR tells the session as it goes and when it is done. */
export interface IvrProgress {
  readonly digits: string;
  readonly path: readonly string[];
}

export interface IvrRunResult extends IvrProgress {
  /** `hangup` (the flow ended the call), `caller-hangup`, `failed`, or `queue` (with `queue`). */
  readonly outcome: string;
  readonly queue?: string | undefined;
  /** With `queue`: prompts announced once the caller is queued (the queue node's `prompts`). */
  readonly announce?: readonly string[] | undefined;
  /** Variables the flow set (collect nodes, lookups), e.g. `orderCode`. */
  readonly variables?: Readonly<Record<string, string>> | undefined;
  /** Texts the `speak` nodes synthesised. */
  readonly spoken?: readonly string[] | undefined;
  /** The flow's name (kept on the call record for the per-node IVR report). */
  readonly flow?: string | undefined;
  /** The run completed a self-service (a `selfService` node, no queue after it). */
  readonly selfServed?: boolean | undefined;
}

/** What comes along with a caller into the queue. */
export interface EnqueueOptions {
  /** Played once the caller is in the queue, before the position announcement and the music. */
  readonly announce?: readonly string[] | undefined;
  /** The order the caller asked about in the IVR: shown to the agent with the offer. */
  readonly orderCode?: string | undefined;
}

/** Puts an answered caller in an agent queue; resolves when the queued part of the call is over. */
export type EnqueueCall = (leg: CallLeg, queue: string, options?: EnqueueOptions) => Promise<QueuedCallEnd>;

/** Runs the inbound flow on a channel; `onProgress` is called after every node and key press. */
export type RunIvr = (
  channel: IvrChannel,
  logger: Logger,
  onProgress: (progress: IvrProgress) => void,
  /** Start variables, e.g. `callerNumber`. */
  variables?: Readonly<Record<string, string>>,
) => Promise<IvrRunResult>;

export interface InboundCallDeps {
  readonly records: CallRecordRepository;
  readonly telemetry: CallTelemetrySink;
  readonly runIvr: RunIvr;
  readonly logger: Logger;
  /** Absent: the agent queue is not in service and callers asking for it hear so. */
  readonly enqueue?: EnqueueCall | undefined;
  /** Stores the notices the caller heard in the IVR and a press of 1 (src/notices); absent, nothing is stored. */
  readonly notices?: { recordCall(callId: string, variables: Readonly<Record<string, string>> | undefined): Promise<void> } | undefined;
  /** Where callers' messages (留言) are recorded (under RECORDINGS_DIR); absent, the IVR takes none. */
  readonly messagesDir?: string | undefined;
}

/**
 * One resident's inbound call: answer at once (GB/T 33358 counts the seconds to a human, so the
 * IVR must not make the caller wait for a 200), run the IVR, and keep the call record up to date.
 * Record writes are chained so they reach the database in order; a failed write is logged and
 * never ends the call.
 */
export class InboundCallSession {
  private readonly log: Logger;
  private progress: IvrProgress = { digits: '', path: [] };
  /** The finished run (absent while it runs, or when it could not run). */
  private ivr: IvrRunResult | undefined;
  /** performance.now() of the caller's last key in the IVR. */
  private lastKeyAt: number | undefined;
  /** Set when an agent's side ended the conversation. */
  private endedByAgent = false;
  private writes: Promise<void> = Promise.resolve();

  constructor(
    private readonly leg: CallLeg,
    private readonly deps: InboundCallDeps,
  ) {
    this.log = deps.logger.child({ callId: leg.id });
  }

  /** Resolves once the call has ended and its record is final. */
  async run(): Promise<void> {
    const { leg, deps } = this;
    const ended = new Promise<LegEnd>((resolve) => {
      if (leg.end) resolve(leg.end);
      else leg.events.once('ended', resolve);
    });
    this.log.info('inbound call', { from: maskPhone(leg.from), to: maskPhone(leg.to) });
    this.write(() => deps.records.create({ callId: leg.id, direction: 'inbound', from: leg.from, to: leg.to, startedAt: new Date(leg.startedAt) }));
    deps.telemetry.callStarted('inbound');

    const ivrDone = this.answerAndRunIvr();
    const end = await ended;
    await ivrDone;
    this.write(() => deps.records.update(leg.id, this.finalPatch(end)));
    deps.telemetry.callEnded('inbound', end.reason);
    this.log.info('call ended', { reason: end.reason, by: end.by, digits: this.progress.digits.length });
    await this.writes;
  }

  private async answerAndRunIvr(): Promise<void> {
    const { leg, deps } = this;
    let refused: string | undefined;
    try {
      await leg.answer();
    } catch (err) {
      refused = err instanceof Error ? err.message : String(err);
    }
    // answer() settles on the ACK, but the call was answered when the 200 went out (leg.answeredAt):
    // a caller whose ACK was lost and who then hung up (BYE) was answered too, and so was one whose
    // ACK never came (counted here; the record says no-ack and keeps answeredAt empty: the caller
    // never confirmed). Counting only acknowledged answers hid the slowest calls under load.
    const answeredAt = refused === undefined ? (leg.answeredAt ?? Date.now()) : leg.answeredAt;
    if (answeredAt !== undefined) {
      deps.telemetry.callAnswered('inbound', answeredAt - leg.startedAt);
      if (leg.end?.reason !== 'no-ack') this.write(() => deps.records.update(leg.id, { answeredAt: new Date(answeredAt) }));
    }
    if (refused !== undefined) {
      const what = answeredAt === undefined ? 'call not answered' : 'call ended before its answer was acknowledged';
      this.log.info(what, { reason: leg.end?.reason, error: refused });
      return;
    }

    try {
      const result = await deps.runIvr(new LegIvrChannel(leg, deps.messagesDir), this.log, (p) => {
        if (p.digits.length > this.progress.digits.length) {
          this.lastKeyAt = performance.now();
          // No digit in the log: keys may spell ID or order numbers.
          this.log.debug('ivr key', { keys: p.digits.length });
        }
        this.progress = p;
      }, { [CALLER_NUMBER_VARIABLE]: leg.from, [CALL_ID_VARIABLE]: leg.id });
      this.progress = result;
      this.ivr = result;
      const { notices } = deps;
      if (notices !== undefined) this.write(() => notices.recordCall(leg.id, result.variables));
      this.log.info('ivr finished', { outcome: result.outcome, path: result.path.join(',') });
      // What the synthesiser said (order step, unit, dates; never the resident's name or number).
      if (result.spoken !== undefined && result.spoken.length > 0) this.log.debug('ivr spoke', { texts: result.spoken });
      if (result.outcome === 'queue' && result.queue !== undefined && leg.state !== 'ended') {
        await this.queue(result.queue, { announce: result.announce, orderCode: result.variables?.[ORDER_CODE_VARIABLE] });
      }
    } catch (err) {
      this.log.error('ivr failed', { error: err instanceof Error ? err.message : String(err) });
    }
    // The flow is over; a call it did not end (hangup node, failure) is ended here.
    if (leg.state !== 'ended') await leg.hangup();
  }

  private async queue(queue: string, options: EnqueueOptions): Promise<void> {
    const { leg, deps } = this;
    if (!deps.enqueue) {
      await leg.play(['agent-unavailable']);
      return;
    }
    // enqueue() puts the caller in the ACD before it returns its promise: the time from the caller's
    // last key to here is the key → queue delay (issue 12 wants it under 1 s).
    const queued = deps.enqueue(leg, queue, options);
    const keyToQueueMs = this.lastKeyAt === undefined ? undefined : Math.round((performance.now() - this.lastKeyAt) * 10) / 10;
    this.log.info('ivr handed the caller to the queue', { queue, keyToQueueMs });
    const end = await queued;
    this.endedByAgent = end.kind === 'talked' && end.endedBy === 'callee';
  }

  private finalPatch(end: LegEnd): CallRecordPatch {
    const hungUpBy: HungUpBy = this.endedByAgent ? 'callee' : end.by === 'remote' ? 'caller' : 'system';
    return {
      endedAt: new Date(this.leg.endedAt ?? Date.now()),
      endReason: end.reason,
      hungUpBy,
      digits: this.progress.digits,
      ivrPath: this.progress.path.join(','),
      ...ivrMeasures(this.ivr),
    };
  }

  private write(op: () => Promise<void>): void {
    this.writes = this.writes.then(op).catch((err: unknown) => {
      this.log.error('call record write failed', { error: err instanceof Error ? err.message : String(err) });
    });
  }
}

/** The IVR run's fields of the call record (issue 12: containment per node, 自助服务完成率, what was spoken). */
function ivrMeasures(run: IvrRunResult | undefined): CallRecordPatch {
  if (run === undefined) return {};
  const spoken = run.spoken ?? [];
  return {
    ivrFlow: run.flow ?? null,
    ivrOutcome: run.outcome,
    ivrSelfServed: run.selfServed ?? false,
    ivrSpoken: spoken.length === 0 ? null : spoken.join('\n'),
  };
}
