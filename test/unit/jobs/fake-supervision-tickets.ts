import type { OverdueOrder, SupervisionAttempt, SupervisionTickets } from '../../../src/tickets/supervision-port.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** SupervisionTickets in memory: recordAttempt and escalate update the orders as TicketService would. */
export class FakeSupervisionTickets implements SupervisionTickets {
  readonly orders: Mutable<OverdueOrder>[] = [];
  readonly attempts: SupervisionAttempt[] = [];
  readonly escalations: { ticketId: number; level: number; reason: string; at: Date }[] = [];
  overdueCalls = 0;

  add(order: Partial<OverdueOrder> & { ticketId: number }): this {
    this.orders.push({
      code: `20261122-${String(order.ticketId).padStart(6, '0')}`,
      step: 'reply',
      deadline: new Date('2026-02-27T10:00:00Z'),
      light: 'red',
      overdueWorkingDays: 1,
      escalationLevel: 1,
      unitId: 3,
      unitName: '河东街道办事处',
      liaisonName: '王联络员',
      liaisonPhone: '13800138000',
      liaisonSipUri: null,
      acknowledged: false,
      attempts: 0,
      lastAttemptAt: null,
      ...order,
    });
    return this;
  }

  overdue(_now: Date, includeYellow: boolean): Promise<OverdueOrder[]> {
    this.overdueCalls++;
    return Promise.resolve(this.orders.filter((o) => includeYellow || o.light === 'red').map((o) => ({ ...o })));
  }

  recordAttempt(attempt: SupervisionAttempt): Promise<void> {
    this.attempts.push(attempt);
    const order = this.orders.find((o) => o.ticketId === attempt.ticketId);
    if (order !== undefined) {
      order.attempts = attempt.attempt;
      order.lastAttemptAt = attempt.at;
      if (attempt.result === 'acknowledged') order.acknowledged = true;
    }
    return Promise.resolve();
  }

  escalate(ticketId: number, level: number, reason: string, at: Date): Promise<void> {
    this.escalations.push({ ticketId, level, reason, at });
    const order = this.orders.find((o) => o.ticketId === ticketId);
    if (order !== undefined) order.escalationLevel = Math.max(order.escalationLevel, level);
    return Promise.resolve();
  }
}
