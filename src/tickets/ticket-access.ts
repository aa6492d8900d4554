import { AppError, NotFoundError, ValidationError } from '../shared/app-error.js';
import { TICKET_CODE_PATTERN } from './ticket-code.js';
import type { TicketActor, TicketRepository, TicketWithEvents } from './ticket.js';

/**
 * The order `code` as `viewer` may see it: NotFoundError when missing or, for a unit user, held by
 * another unit. Answering 404 (not 403) does not reveal other units' orders.
 */
export async function findVisible(tickets: TicketRepository, code: string, viewer: TicketActor): Promise<TicketWithEvents> {
  const missing = new NotFoundError(`no ticket ${code}`);
  if (!TICKET_CODE_PATTERN.test(code)) throw missing;
  const ticket = await tickets.findByCode(code);
  if (ticket === undefined) throw missing;
  if (viewer.role === 'unit' && ticket.currentUnitId !== unitOf(viewer)) throw missing;
  return ticket;
}

/** The handling unit of a `unit` user; AppError FORBIDDEN when the account names none. */
export function unitOf(viewer: TicketActor): number {
  if (viewer.unitId === undefined) throw new AppError('FORBIDDEN', 'this unit account is not linked to a handling unit');
  return viewer.unitId;
}

export function fieldError(what: string, path: string, message: string): ValidationError {
  return new ValidationError(`invalid ${what}: ${path} ${message}`, [{ path, message }]);
}
