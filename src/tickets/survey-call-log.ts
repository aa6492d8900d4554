import type { SurveyCallAttempt, SurveyCallHistory } from './survey-port.js';
import { SYSTEM_ACTOR, type NewTicketEvent, type Ticket, type TicketRepository } from './ticket.js';

/**
 * 回访 call attempts as `survey-call` events on the order (全过程留痕). They change no column, so
 * the order's version stays and an agent's open form is not invalidated by a campaign call.
 * Attempts are counted per round: the order's reopenCount when called (重办 starts a new round).
 */
export class SurveyCallLog {
  constructor(private readonly tickets: TicketRepository) {}

  async history(orders: readonly Pick<Ticket, 'id' | 'reopenCount'>[]): Promise<Map<number, SurveyCallHistory>> {
    const result = new Map<number, SurveyCallHistory>(orders.map((o) => [o.id, { attempts: 0, lastAttemptAt: null }]));
    if (orders.length === 0) return result;
    const rounds = new Map(orders.map((o) => [o.id, o.reopenCount]));
    for (const e of await this.tickets.events([...rounds.keys()], ['survey-call'])) {
      if (e.data.round !== rounds.get(e.ticketId)) continue;
      const before = result.get(e.ticketId) ?? { attempts: 0, lastAttemptAt: null };
      const last = before.lastAttemptAt === null || e.at > before.lastAttemptAt ? e.at : before.lastAttemptAt;
      result.set(e.ticketId, { attempts: before.attempts + 1, lastAttemptAt: last });
    }
    return result;
  }

  async record(attempt: SurveyCallAttempt): Promise<void> {
    const actor = attempt.actor ?? SYSTEM_ACTOR;
    const event: NewTicketEvent = {
      type: 'survey-call',
      actorUserId: actor.id,
      actorRole: actor.role,
      channel: 'phone',
      unitId: null,
      note: attempt.reason ?? null,
      at: attempt.at,
      data: {
        round: attempt.round,
        attempt: attempt.attempt,
        result: attempt.result,
        satisfaction: attempt.satisfaction,
        resolution: attempt.resolution,
        target: attempt.target,
        callId: attempt.callId,
        by: attempt.by,
      },
    };
    await this.tickets.appendEvents(attempt.ticketId, [event]);
  }
}
