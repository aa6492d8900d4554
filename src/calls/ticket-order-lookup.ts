import type { OrderLookup, OrderStatus, OrderStep } from '../ivr/index.js';
import { NotFoundError, ValidationError } from '../shared/app-error.js';
import type { HandlingUnit } from '../tickets/catalog.js';
import { localDay, TICKET_CODE_PATTERN } from '../tickets/ticket-code.js';
import type { PageRequest, TicketListFilter } from '../tickets/ticket-service.js';
import { SYSTEM_ACTOR, type Ticket, type TicketActor, type TicketState } from '../tickets/ticket.js';

/** What the lookup needs of the ticket service. */
export interface TicketReader {
  get(code: string, viewer: TicketActor): Promise<Ticket>;
  list(filter: TicketListFilter, viewer: TicketActor, page: PageRequest): Promise<{ readonly items: readonly Ticket[] }>;
}

/** States of an order still being handled ("正在办理"): everything before 办结. */
export const OPEN_STATES: readonly TicketState[] = ['created', 'dispatched', 'returned', 'signed', 'in-progress', 'replied', 'reviewed'];

/** States in which the unit's reply is the answer the resident has (已答复, reviewed, surveyed, 已办结). */
const REPLIED_STATES: ReadonlySet<TicketState> = new Set(['replied', 'reviewed', 'surveyed', 'closed']);

/** The lifecycle state as the resident hears it. */
export function orderStep(state: TicketState): OrderStep {
  switch (state) {
    case 'created':
    case 'dispatched':
    case 'returned':
      return 'dispatched';
    case 'signed':
      return 'signed';
    case 'in-progress':
      return 'in-progress';
    case 'replied':
    case 'reviewed':
      return 'replied';
    case 'surveyed':
    case 'closed':
      return 'closed';
  }
}

/**
 * The IVR's `OrderLookup` over the ticket service (read as the system: no unit restriction) and the
 * unit repository; days in the centre's time zone. A code keyed on the phone (14 digits) is
 * accepted as `YYYYMMDD-NNNNNN`. A number the ticket service refuses as a phone (e.g. an
 * anonymous caller) has no orders.
 */
export class TicketOrderLookup implements OrderLookup {
  constructor(
    private readonly deps: {
      readonly tickets: TicketReader;
      readonly units: { get(id: number): Promise<Pick<HandlingUnit, 'name'> | undefined> };
      readonly timeZone: string;
    },
  ) {}

  async byCode(code: string): Promise<OrderStatus | undefined> {
    const digits = code.replace(/\D/g, '');
    const canonical = /^\d{14}$/.test(digits) ? `${digits.slice(0, 8)}-${digits.slice(8)}` : code;
    if (!TICKET_CODE_PATTERN.test(canonical)) return undefined;
    try {
      return await this.status(await this.deps.tickets.get(canonical, SYSTEM_ACTOR));
    } catch (err) {
      if (err instanceof NotFoundError) return undefined;
      throw err;
    }
  }

  async openByPhone(phone: string, limit: number): Promise<readonly OrderStatus[]> {
    let items: readonly Ticket[];
    try {
      ({ items } = await this.deps.tickets.list({ phone, states: OPEN_STATES }, SYSTEM_ACTOR, { limit, offset: 0 }));
    } catch (err) {
      if (err instanceof ValidationError) return [];
      throw err;
    }
    return Promise.all(items.map((t) => this.status(t)));
  }

  private async status(ticket: Ticket): Promise<OrderStatus> {
    const unitId = ticket.currentUnitId ?? ticket.handlingUnitId;
    const unit = unitId === null ? undefined : await this.deps.units.get(unitId);
    return {
      code: ticket.code,
      residentPhone: ticket.residentPhone,
      acceptedDay: localDay(ticket.createdAt, this.deps.timeZone),
      unitName: unit?.name ?? null,
      step: orderStep(ticket.state),
      replyByDay: ticket.replyBy === null ? null : localDay(ticket.replyBy, this.deps.timeZone),
      // Only a reply the order still stands on: a reopened order (重办) is being handled again.
      reply: REPLIED_STATES.has(ticket.state) ? ticket.replyContent : null,
    };
  }
}
