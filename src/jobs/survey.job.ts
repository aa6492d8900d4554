import { surveyTaskKey, type TaskClaims } from '../calls/task-claims.js';
import { maskTarget, type AttemptReport, type OutboundTask } from '../dialer/index.js';
import type { Logger } from '../logging/logger.js';
import type { SurveyCallHistory, SurveyTickets } from '../tickets/survey-port.js';
import { SYSTEM_ACTOR, type Satisfaction, type Ticket } from '../tickets/ticket.js';
import { CallingSweep, type CallingSweepDeps } from './calling-sweep.js';
import { surveyAnswerOf, type SurveyAnswer } from './survey-result.js';

/** Name of the database lock, so only one process of a cluster places survey calls. */
export const SURVEY_LOCK = 'hotline12345.survey-calls';
/** The claim owner of the campaign in TaskClaims (agents are claim owners `agent:<id>`). */
export const SURVEY_JOB_OWNER = 'survey-job';
/** Orders looked at per sweep (the next sweep takes the rest). */
export const DEFAULT_SURVEY_BATCH = 50;

export interface SurveyJobDeps extends CallingSweepDeps {
  readonly tickets: SurveyTickets;
  /** SURVEY_MAX_ATTEMPTS: calls per order and survey round, whatever their result; then 未评价. */
  readonly maxAttempts: number;
  /** SURVEY_RETRY_MIN in ms: gap after the last attempt before the next one. */
  readonly retryAfterMs: number;
  /** Orders per sweep. Default 50. */
  readonly batchSize?: number;
  /** Dial target of a resident's number. Default `tel:<phone>` (through the trunk); tests route to a local UA. */
  readonly targetFor?: (phone: string) => string;
  /** Shared with preview dialing: an order an agent holds is not called, and the other way round. */
  readonly claims?: TaskClaims;
}

export type SurveySkipReason = 'doNotCall' | 'claimed' | 'retryGap' | 'outsideHours' | 'cancelled';

export interface SurveySummary {
  /** False when another process held the lock: nothing was looked at. */
  readonly ran: boolean;
  readonly considered: number;
  /** Calls placed (each recorded on its order as a `survey-call` event). */
  readonly called: number;
  /** Ratings stored: 满意/基本满意 closed, 不满意 reopened (重办). */
  readonly closed: number;
  readonly reopened: number;
  /** Orders closed 未评价 after the last attempt without a rating. */
  readonly unreachable: number;
  readonly skipped: Readonly<Record<SurveySkipReason, number>>;
}

interface Planned {
  readonly order: Ticket;
  readonly history: SurveyCallHistory;
  readonly task: OutboundTask;
}

interface Counts {
  considered: number;
  called: number;
  closed: number;
  reopened: number;
  unreachable: number;
  skipped: Record<SurveySkipReason, number>;
}

/**
 * 回访 campaign (DOMAIN.md "Outbound survey call"): every few minutes (SURVEY_CRON) takes reviewed
 * orders, phones each resident with ivr-flows/survey.yaml inside CALLING_HOURS, and stores the
 * answer with the `survey` action: 满意/基本满意 close the order, 不满意 reopens it (重办). A call
 * not answered, or answered without a rating, is tried again `retryAfterMs` later, at most
 * `maxAttempts` times per survey round; after the last one the survey is stored as `unreachable`
 * (未评价). Do-not-call orders are never called. One process of a cluster runs it (JobLock).
 */
export class SurveyJob {
  private readonly calls: CallingSweep<SurveySummary>;
  private readonly log: Logger;

  constructor(private readonly deps: SurveyJobDeps) {
    if (!Number.isInteger(deps.maxAttempts) || deps.maxAttempts < 1) throw new RangeError(`survey maxAttempts must be a whole number ≥ 1, not ${deps.maxAttempts}`);
    this.calls = new CallingSweep(deps, {
      name: 'survey',
      configKey: 'SURVEY_CRON',
      lockName: SURVEY_LOCK,
      notRun: () => summaryOf(false, emptyCounts()),
      sweep: () => this.sweep(),
    });
    this.log = this.calls.log;
  }

  /** One sweep; resolves with what it did. Skips (ran: false) when another process holds the lock. */
  runOnce(): Promise<SurveySummary> {
    return this.calls.runOnce();
  }

  /** Runs `runOnce()` on the cron expression (read in `timeZone`); a run never overlaps the previous one. */
  start(expression: string): void {
    this.calls.start(expression);
  }

  /** Stops the schedule, ends calls in progress and waits for the sweep to finish. Safe to call twice. */
  stop(): Promise<void> {
    return this.calls.stop();
  }

  private async sweep(): Promise<SurveySummary> {
    const { tickets, clock, claims } = this.deps;
    const counts = emptyCounts();
    const orders = await tickets.surveyCandidates(this.deps.batchSize ?? DEFAULT_SURVEY_BATCH);
    counts.considered = orders.length;
    const histories = orders.length === 0 ? new Map<number, SurveyCallHistory>() : await tickets.surveyCalls(orders);
    const planned: Planned[] = [];
    const now = clock.now();
    for (const order of orders) {
      const history = histories.get(order.id) ?? { attempts: 0, lastAttemptAt: null };
      if (history.attempts >= this.deps.maxAttempts) {
        // The last attempt's 未评价 was not stored (a crash, a conflict): store it now.
        if (await this.rate(order, 'unreachable', null, null)) counts.unreachable++;
        continue;
      }
      const skip = this.skipReason(order, history, now);
      if (skip !== undefined) {
        counts.skipped[skip]++;
        continue;
      }
      planned.push({ order, history, task: { id: `survey-${order.code}`, target: this.targetFor(order.residentPhone), variables: {}, maxAttempts: 1 } });
    }
    // Claimed only while the job dials them, so an agent's preview dialing leaves them alone meanwhile.
    await this.calls.dial(planned, counts, (p, report) => this.settle(p, report, counts), {
      before: () => {
        for (const p of planned) claims?.tryClaim(surveyTaskKey(p.order.code), SURVEY_JOB_OWNER);
      },
      after: () => {
        for (const p of planned) claims?.release(surveyTaskKey(p.order.code), SURVEY_JOB_OWNER);
      },
    });
    return summaryOf(true, counts);
  }

  private skipReason(order: Ticket, history: SurveyCallHistory, now: number): SurveySkipReason | undefined {
    // surveyCandidates already leaves them out; checked again so a stale list can never call one.
    if (order.doNotCall) return 'doNotCall';
    const holder = this.deps.claims?.holder(surveyTaskKey(order.code));
    if (holder !== undefined && holder !== SURVEY_JOB_OWNER) return 'claimed';
    if (history.lastAttemptAt !== null && now - history.lastAttemptAt.getTime() < this.deps.retryAfterMs) return 'retryGap';
    if (!this.deps.callingHours.isOpen(now)) return 'outsideHours';
    return undefined;
  }

  /** Stores the attempt, then the rating, or 未评价 after the last attempt without one. */
  private async settle(p: Planned, report: AttemptReport, counts: Counts): Promise<void> {
    const answer = surveyAnswerOf(report.outcome);
    const attempt = p.history.attempts + report.attempt;
    const callId = report.outcome.callId ?? null;
    await this.record(p, report, answer, attempt, callId);
    if (answer.result === 'rated' && answer.satisfaction !== null) {
      if (await this.rate(p.order, answer.satisfaction, answer.resolution, callId)) {
        if (answer.satisfaction === 'unsatisfied') counts.reopened++;
        else counts.closed++;
      }
      return;
    }
    if (attempt >= this.deps.maxAttempts && (await this.rate(p.order, 'unreachable', null, callId))) counts.unreachable++;
  }

  private async record(p: Planned, report: AttemptReport, answer: SurveyAnswer, attempt: number, callId: string | null): Promise<void> {
    const { order } = p;
    try {
      await this.deps.tickets.recordSurveyCall({
        ticketId: order.id,
        round: order.reopenCount,
        attempt,
        result: answer.result,
        satisfaction: answer.satisfaction,
        resolution: answer.resolution,
        target: report.task.target,
        callId,
        ...(report.outcome.kind === 'failed' && report.outcome.reason !== undefined ? { reason: report.outcome.reason } : {}),
        by: 'ivr',
        at: report.endedAt,
      });
      this.log.info('survey call', { ticketId: order.code, attempt, result: answer.result, callId, target: maskTarget(report.task.target) });
    } catch (err) {
      this.log.error('survey attempt not recorded', { ticketId: order.code, attempt, result: answer.result, error: errorText(err) });
    }
  }

  /** The `survey` action as the system; true when stored. A refusal (the order moved on meanwhile) is logged. */
  private async rate(order: Ticket, satisfaction: Satisfaction, resolution: string | null, callId: string | null): Promise<boolean> {
    try {
      const input = { version: order.version, satisfaction, resolution, ...(callId === null ? {} : { callId }) };
      const after = await this.deps.tickets.act(order.code, 'survey', input, SYSTEM_ACTOR, 'phone');
      this.log.info('survey stored', { ticketId: order.code, satisfaction, resolution, state: after.state });
      return true;
    } catch (err) {
      this.log.error('survey result not stored', { ticketId: order.code, satisfaction, error: errorText(err) });
      return false;
    }
  }

  private targetFor(phone: string): string {
    return this.deps.targetFor?.(phone) ?? `tel:${phone}`;
  }
}

function emptyCounts(): Counts {
  return { considered: 0, called: 0, closed: 0, reopened: 0, unreachable: 0, skipped: { doNotCall: 0, claimed: 0, retryGap: 0, outsideHours: 0, cancelled: 0 } };
}

function summaryOf(ran: boolean, c: Counts): SurveySummary {
  return { ran, considered: c.considered, called: c.called, closed: c.closed, reopened: c.reopened, unreachable: c.unreachable, skipped: { ...c.skipped } };
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
