import type { OverdueOrder } from '../tickets/supervision-port.js';

/** The highest escalation level the supervision job sets (3: 领导督办 / public notice; beyond that is people's work). */
export const MAX_ESCALATION_LEVEL = 3;

/**
 * DOMAIN.md: a red order gets an escalation level, and repeated red lights escalate further.
 * Level 1 as soon as the order is red, one more for every further 2 working days overdue:
 * 0-1 days → 1, 2-3 → 2, 4 or more → 3. Yellow orders are not escalated (0).
 */
export function escalationLevelFor(order: Pick<OverdueOrder, 'light' | 'overdueWorkingDays'>): number {
  if (order.light !== 'red') return 0;
  const days = Math.max(0, Math.floor(order.overdueWorkingDays));
  return Math.min(MAX_ESCALATION_LEVEL, 1 + Math.floor(days / 2));
}

/** The reason written on the `escalated` event, e.g. `supervision: reply deadline overdue by 3 working days`. */
export function escalationReason(order: Pick<OverdueOrder, 'step' | 'overdueWorkingDays'>, level: number): string {
  const days = order.overdueWorkingDays;
  return `supervision: ${order.step} deadline overdue by ${days} working day${days === 1 ? '' : 's'} (level ${level})`;
}
