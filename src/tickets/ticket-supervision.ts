import type { Logger } from '../logging/logger.js';
import { ValidationError } from '../shared/app-error.js';
import type { HandlingUnit, UnitRepository } from './catalog.js';
import { VersionConflictError } from './ticket-errors.js';
import { currentStep, lightOf, overdueRange, overdueWorkingDays } from './ticket-lights.js';
import { SYSTEM_ACTOR, type NewTicketEvent, type TicketEvent, type TicketRepository } from './ticket.js';
import type { OverdueOrder, SupervisionAttempt, SupervisionTickets } from './supervision-port.js';
import type { WorkingDayCalendar } from './working-day-calendar.js';

export const MAX_ESCALATION_LEVEL = 3;
/** Most orders one overdue() scan returns (the job runs again on its next tick). */
export const OVERDUE_SCAN_LIMIT = 1000;
const ESCALATE_ATTEMPTS = 5;

export interface TicketSupervisionDeps {
  readonly tickets: TicketRepository;
  readonly units: UnitRepository;
  readonly calendar: WorkingDayCalendar;
  readonly logger: Logger;
}

/**
 * 督办: the orders past (or near) their deadline with their unit's liaison, the supervision call
 * attempts stored as events (`supervision-call`, `supervision-acknowledged`), and escalation levels.
 * Attempts are counted per step and deadline: a moved deadline (extension, re-dispatch) starts afresh.
 */
export class TicketSupervision implements SupervisionTickets {
  constructor(private readonly deps: TicketSupervisionDeps) {}

  async overdue(now: Date, includeYellow: boolean): Promise<OverdueOrder[]> {
    const { tickets, calendar } = this.deps;
    const page = await tickets.list({ deadline: overdueRange(now, includeYellow, calendar) }, { limit: OVERDUE_SCAN_LIMIT, offset: 0 });
    const ids = page.items.map((t) => t.id);
    const events = ids.length === 0 ? [] : await tickets.events(ids, ['supervision-call', 'supervision-acknowledged']);
    const units = new Map<number, HandlingUnit | undefined>();
    const orders: OverdueOrder[] = [];
    for (const t of page.items) {
      const step = currentStep(t);
      if (step === null || t.currentUnitId === null) continue;
      if (!units.has(t.currentUnitId)) units.set(t.currentUnitId, await this.deps.units.get(t.currentUnitId));
      const unit = units.get(t.currentUnitId);
      const light = lightOf(step.deadline, now, calendar);
      if (unit === undefined || light === 'green') continue;
      const mine = events.filter((e) => e.ticketId === t.id && e.data.step === step.step && e.data.deadline === step.deadline.toISOString());
      const calls = mine.filter((e) => e.type === 'supervision-call');
      orders.push({
        ticketId: t.id,
        code: t.code,
        step: step.step,
        deadline: step.deadline,
        light,
        overdueWorkingDays: light === 'red' ? overdueWorkingDays(step.deadline, now, calendar) : 0,
        escalationLevel: t.escalationLevel,
        unitId: unit.id,
        unitName: unit.name,
        liaisonName: unit.liaisonName === '' ? null : unit.liaisonName,
        liaisonPhone: unit.liaisonPhone === '' ? null : unit.liaisonPhone,
        liaisonSipUri: unit.liaisonSipUri,
        acknowledged: mine.some((e) => e.type === 'supervision-acknowledged'),
        attempts: calls.length,
        lastAttemptAt: latest(calls),
      });
    }
    // Most overdue first: the oldest deadline is called first.
    return orders.sort((a, b) => a.deadline.getTime() - b.deadline.getTime() || a.ticketId - b.ticketId);
  }

  async recordAttempt(attempt: SupervisionAttempt): Promise<void> {
    const ticket = await this.deps.tickets.findById(attempt.ticketId);
    const data = {
      step: attempt.step,
      deadline: attempt.deadline.toISOString(),
      attempt: attempt.attempt,
      result: attempt.result,
      target: attempt.target,
      callId: attempt.callId,
    };
    const base = { actorUserId: SYSTEM_ACTOR.id, actorRole: SYSTEM_ACTOR.role, channel: 'phone' as const, unitId: ticket?.currentUnitId ?? null, at: attempt.at };
    const events: NewTicketEvent[] = [{ ...base, type: 'supervision-call', note: attempt.reason ?? null, data }];
    if (attempt.result === 'acknowledged') events.push({ ...base, type: 'supervision-acknowledged', note: null, data });
    await this.deps.tickets.appendEvents(attempt.ticketId, events);
  }

  async escalate(ticketId: number, level: number, reason: string, at: Date): Promise<void> {
    if (!Number.isInteger(level) || level < 1 || level > MAX_ESCALATION_LEVEL) {
      throw new ValidationError(`invalid escalation: level must be 1-${MAX_ESCALATION_LEVEL}`, [{ path: 'level', message: `must be a whole number from 1 to ${MAX_ESCALATION_LEVEL}` }]);
    }
    // The job races with people acting on the order: re-read and retry on a version conflict.
    for (let attempt = 1; ; attempt++) {
      const ticket = await this.deps.tickets.findById(ticketId);
      if (ticket === undefined) throw new ValidationError(`invalid escalation: no ticket ${ticketId}`, [{ path: 'ticketId', message: `names no ticket (${ticketId})` }]);
      if (ticket.escalationLevel >= level) return;
      const event: NewTicketEvent = {
        type: 'escalated',
        actorUserId: SYSTEM_ACTOR.id,
        actorRole: SYSTEM_ACTOR.role,
        channel: 'api',
        unitId: ticket.currentUnitId,
        note: reason,
        data: { from: ticket.escalationLevel, to: level },
        at,
      };
      try {
        await this.deps.tickets.update(ticket.id, ticket.version, { escalationLevel: level }, [event]);
        this.deps.logger.info('ticket escalated', { ticketId: ticket.code, level });
        return;
      } catch (err) {
        if (!(err instanceof VersionConflictError) || attempt >= ESCALATE_ATTEMPTS) throw err;
      }
    }
  }
}

function latest(events: readonly TicketEvent[]): Date | null {
  let best: Date | null = null;
  for (const e of events) if (best === null || e.at > best) best = e.at;
  return best;
}
