import { maskTarget, reachedNode, type AttemptReport, type CallOutcome, type OutboundTask } from '../dialer/index.js';
import type { Logger } from '../logging/logger.js';
import type { OverdueOrder, SupervisionCallResult, SupervisionTickets } from '../tickets/supervision-port.js';
import { CallingSweep, type CallingSweepDeps } from './calling-sweep.js';
import { escalationLevelFor, escalationReason } from './supervision-escalation.js';

/** Name of the database lock, so only one process of a cluster places supervision calls. */
export const SUPERVISION_LOCK = 'hotline12345.supervision-calls';

/** Node ids of ivr-flows/supervision.yaml the job relies on (see ivr-flows/README.md, "Outbound flows"). */
export const ACKNOWLEDGED_NODE = 'acknowledged';
export const DUE_SOON_ENTRY = 'due-soon-intro';

export interface SupervisionJobDeps extends CallingSweepDeps {
  readonly tickets: SupervisionTickets;
  /** SUPERVISION_INCLUDE_YELLOW: also remind about orders due within one working day. */
  readonly includeYellow: boolean;
  /** SUPERVISION_MAX_ATTEMPTS: calls per step and deadline, whatever their result. */
  readonly maxAttempts: number;
  /** SUPERVISION_RETRY_MIN in ms: gap after the last attempt before the next one. */
  readonly retryAfterMs: number;
}

export type SkipReason = 'acknowledged' | 'maxAttempts' | 'retryGap' | 'noTarget' | 'outsideHours' | 'cancelled';

export interface SupervisionSummary {
  /** False when another process held the lock: nothing was looked at. */
  readonly ran: boolean;
  /** Overdue (and, when configured, yellow) orders found. */
  readonly considered: number;
  /** Calls placed (every attempt recorded on its order). */
  readonly called: number;
  /** Calls the liaison acknowledged by pressing 1. */
  readonly acknowledged: number;
  /** Orders whose escalation level was raised. */
  readonly escalated: number;
  readonly skipped: Readonly<Record<SkipReason, number>>;
}

interface Planned {
  readonly order: OverdueOrder;
  readonly task: OutboundTask;
}

/**
 * 自动电话督办 (DOMAIN.md): every few minutes (SUPERVISION_CRON) finds red (and optionally yellow)
 * work orders, raises their escalation level, and phones the handling unit's liaison with the
 * supervision flow, which reads the order code and the overdue working days and asks to press 1.
 * Attempts are spaced by `retryAfterMs` and capped at `maxAttempts` per step and deadline, across
 * runs (the count lives on the order); only one process of a cluster runs it (JobLock).
 */
export class SupervisionJob {
  private readonly calls: CallingSweep<SupervisionSummary>;
  private readonly log: Logger;

  constructor(private readonly deps: SupervisionJobDeps) {
    this.calls = new CallingSweep(deps, {
      name: 'supervision',
      configKey: 'SUPERVISION_CRON',
      lockName: SUPERVISION_LOCK,
      notRun: () => summaryOf(false, emptyCounts()),
      sweep: () => this.sweep(),
    });
    this.log = this.calls.log;
  }

  /** One sweep; resolves with what it did. Skips (ran: false) when another process holds the lock. */
  runOnce(): Promise<SupervisionSummary> {
    return this.calls.runOnce();
  }

  /** Runs `runOnce()` on the cron expression (node-cron syntax, read in `timeZone`); a run never overlaps the previous one. */
  start(expression: string): void {
    this.calls.start(expression);
  }

  /** Stops the schedule, ends calls in progress and waits for the sweep to finish. Safe to call twice. */
  stop(): Promise<void> {
    return this.calls.stop();
  }

  private async sweep(): Promise<SupervisionSummary> {
    const { tickets, includeYellow, clock } = this.deps;
    const now = clock.now();
    const counts = emptyCounts();
    const orders = await tickets.overdue(new Date(now), includeYellow);
    counts.considered = orders.length;
    const planned: Planned[] = [];
    for (const order of orders) {
      if (await this.escalate(order, now)) counts.escalated++;
      const skip = this.skipReason(order, now);
      if (skip !== undefined) {
        counts.skipped[skip]++;
        continue;
      }
      const target = targetOf(order);
      if (target === undefined) {
        this.log.warn('supervision call not placed: the unit has no liaison phone or SIP URI', { ticketId: order.ticketId, unitId: order.unitId });
        counts.skipped.noTarget++;
        continue;
      }
      planned.push({ order, task: taskFor(order, target) });
    }
    await this.calls.dial(planned, counts, (p, report) => {
      const result = resultOf(report.outcome);
      if (result === 'acknowledged') counts.acknowledged++;
      return this.record(p.order, report, result);
    });
    return summaryOf(true, counts);
  }

  private skipReason(order: OverdueOrder, now: number): SkipReason | undefined {
    if (order.acknowledged) return 'acknowledged';
    if (order.attempts >= this.deps.maxAttempts) return 'maxAttempts';
    if (order.lastAttemptAt !== null && now - order.lastAttemptAt.getTime() < this.deps.retryAfterMs) return 'retryGap';
    if (!this.deps.callingHours.isOpen(now)) return 'outsideHours';
    return undefined;
  }

  /** Raises the order's level when it is red for long enough; true when it did. A failure is logged, never fatal. */
  private async escalate(order: OverdueOrder, now: number): Promise<boolean> {
    const level = escalationLevelFor(order);
    if (level <= order.escalationLevel) return false;
    try {
      await this.deps.tickets.escalate(order.ticketId, level, escalationReason(order, level), new Date(now));
      this.log.info('order escalated', { ticketId: order.ticketId, level, overdueWorkingDays: order.overdueWorkingDays });
      return true;
    } catch (err) {
      this.log.error('escalation failed', { ticketId: order.ticketId, level, error: err instanceof Error ? err.message : String(err) });
      return false;
    }
  }

  private async record(order: OverdueOrder, report: AttemptReport, result: SupervisionCallResult): Promise<void> {
    const attempt = order.attempts + report.attempt;
    const callId = report.outcome.callId ?? null;
    try {
      await this.deps.tickets.recordAttempt({
        ticketId: order.ticketId,
        step: order.step,
        deadline: order.deadline,
        attempt,
        result,
        target: report.task.target,
        callId,
        ...(report.outcome.kind === 'failed' && report.outcome.reason !== undefined ? { reason: report.outcome.reason } : {}),
        at: report.endedAt,
      });
      this.log.info('supervision call', { ticketId: order.ticketId, step: order.step, attempt, result, callId, target: maskTarget(report.task.target) });
    } catch (err) {
      this.log.error('supervision attempt not recorded', { ticketId: order.ticketId, attempt, result, error: err instanceof Error ? err.message : String(err) });
    }
  }
}

/**
 * The liaison's SIP URI when set (dialled directly), else their number through the trunk. Either
 * way the call goes through DialPlanPbx: a number in the URI's user part is checked like a `tel:` one.
 */
export function targetOf(order: Pick<OverdueOrder, 'liaisonSipUri' | 'liaisonPhone'>): string | undefined {
  const sip = order.liaisonSipUri?.trim();
  if (sip !== undefined && sip !== '') return sip;
  const phone = order.liaisonPhone?.replace(/[\s-]/g, '');
  return phone === undefined || phone === '' ? undefined : `tel:${phone}`;
}

/** What the attempt is stored as on the order. */
export function resultOf(outcome: CallOutcome): SupervisionCallResult {
  if (outcome.kind === 'answered') return reachedNode(outcome, ACKNOWLEDGED_NODE) ? 'acknowledged' : 'not-acknowledged';
  if (outcome.failure === 'busy') return 'busy';
  if (outcome.failure === 'no-answer') return 'no-answer';
  if (outcome.failure === 'refused-by-dial-plan') return 'refused-by-dial-plan';
  return 'failed';
}

function taskFor(order: OverdueOrder, target: string): OutboundTask {
  const base = {
    id: `ticket-${order.ticketId}-${order.step}`,
    target,
    // One attempt per sweep: the gap between attempts (SUPERVISION_RETRY_MIN) spans sweeps and is kept on the order.
    maxAttempts: 1,
    variables: { code: order.code.replace(/\D/g, ''), days: String(Math.max(0, order.overdueWorkingDays)) },
  };
  return order.light === 'yellow' ? { ...base, entry: DUE_SOON_ENTRY } : base;
}

interface Counts {
  considered: number;
  called: number;
  acknowledged: number;
  escalated: number;
  skipped: Record<SkipReason, number>;
}

function emptyCounts(): Counts {
  return {
    considered: 0,
    called: 0,
    acknowledged: 0,
    escalated: 0,
    skipped: { acknowledged: 0, maxAttempts: 0, retryGap: 0, noTarget: 0, outsideHours: 0, cancelled: 0 },
  };
}

function summaryOf(ran: boolean, c: Counts): SupervisionSummary {
  return { ran, considered: c.considered, called: c.called, acknowledged: c.acknowledged, escalated: c.escalated, skipped: { ...c.skipped } };
}
