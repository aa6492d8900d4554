import type { DeadlineRange, Ticket } from './ticket.js';
import type { Light } from '../shared/wire/tickets.js';
import type { WorkingDayCalendar } from './working-day-calendar.js';

/**
 * 红黄绿灯 (shared/DOMAIN.md): red when the current step's deadline has passed, yellow when it falls
 * within one working day, green otherwise; orders with no running deadline have no light. Computed
 * from the clock at read time, never stored.
 */
export { LIGHTS, type Light } from '../shared/wire/tickets.js';

export interface TicketLight {
  readonly light: Light | null;
  /** Whole working days past the deadline (0 unless red). */
  readonly overdueWorkingDays: number;
  /**
   * Whole working days left before the deadline (0 when red, when less than one is left, or when no
   * deadline runs): the browser cannot count them itself, it does not have the holiday calendar.
   */
  readonly remainingWorkingDays: number;
}

export interface CurrentStep {
  readonly step: 'sign' | 'reply';
  readonly deadline: Date;
}

/** Beyond this the count is not worth a longer loop: the order is very late either way. */
const MAX_COUNTED_DAYS = 366;
/**
 * Any 800 calendar days hold far more than MAX_COUNTED_DAYS working days, so counting no further
 * than this changes no answer and bounds the loop for an order years old.
 */
const MAX_SPAN_MS = 800 * 86_400_000;

/** The running deadline: sign_by while dispatched, reply_by while signed or in progress. */
export function currentStep(ticket: Pick<Ticket, 'state' | 'signBy' | 'replyBy'>): CurrentStep | null {
  if (ticket.state === 'dispatched' && ticket.signBy !== null) return { step: 'sign', deadline: ticket.signBy };
  if ((ticket.state === 'signed' || ticket.state === 'in-progress') && ticket.replyBy !== null) return { step: 'reply', deadline: ticket.replyBy };
  return null;
}

export function lightOf(deadline: Date, now: Date, calendar: WorkingDayCalendar): Light {
  if (now.getTime() > deadline.getTime()) return 'red';
  return calendar.addWorkingDays(now, 1).getTime() >= deadline.getTime() ? 'yellow' : 'green';
}

/** Whole working days from `deadline` to `now`: n such that deadline + n working days ≤ now < deadline + n+1. */
export function overdueWorkingDays(deadline: Date, now: Date, calendar: WorkingDayCalendar): number {
  return countWorkingDays(deadline, now, calendar);
}

/** Whole working days from `now` to `deadline`: n such that now + n working days ≤ deadline < now + n+1. */
export function remainingWorkingDays(deadline: Date, now: Date, calendar: WorkingDayCalendar): number {
  return countWorkingDays(now, deadline, calendar);
}

/** The largest n ≤ MAX_COUNTED_DAYS with from + n working days ≤ to (0 when `to` is before `from`), in one pass over the days. */
function countWorkingDays(from: Date, to: Date, calendar: WorkingDayCalendar): number {
  if (to.getTime() <= from.getTime()) return 0;
  const end = new Date(Math.min(to.getTime(), from.getTime() + MAX_SPAN_MS));
  return Math.min(MAX_COUNTED_DAYS, calendar.workingDaysBetween(from, end));
}

export function ticketLight(ticket: Pick<Ticket, 'state' | 'signBy' | 'replyBy'>, now: Date, calendar: WorkingDayCalendar): TicketLight {
  const step = currentStep(ticket);
  if (step === null) return { light: null, overdueWorkingDays: 0, remainingWorkingDays: 0 };
  const light = lightOf(step.deadline, now, calendar);
  return {
    light,
    overdueWorkingDays: light === 'red' ? overdueWorkingDays(step.deadline, now, calendar) : 0,
    remainingWorkingDays: light === 'red' ? 0 : remainingWorkingDays(step.deadline, now, calendar),
  };
}

/**
 * The same rule as a range on the stored deadline, for the repository's WHERE:
 * red = deadline < now; yellow = now ≤ deadline ≤ now + 1 working day; green = deadline > that.
 */
export function deadlineRangeFor(light: Light, now: Date, calendar: WorkingDayCalendar): DeadlineRange {
  const yellowUntil = calendar.addWorkingDays(now, 1);
  if (light === 'red') return { before: now };
  if (light === 'yellow') return { notBefore: now, notAfter: yellowUntil };
  return { after: yellowUntil };
}

/** Red, or (with `includeYellow`) yellow too: deadline ≤ now + 1 working day. */
export function overdueRange(now: Date, includeYellow: boolean, calendar: WorkingDayCalendar): DeadlineRange {
  return includeYellow ? { notAfter: calendar.addWorkingDays(now, 1) } : { before: now };
}
