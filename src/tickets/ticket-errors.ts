import { AppError } from '../shared/app-error.js';

/**
 * Refusals of the work-order lifecycle, each with a stable code (HTTP 409 in api/). The codes are
 * part of the API: clients branch on them.
 */
export class TicketConflictError extends AppError {}

/** The action is not allowed in the order's state: `ticket 20261122-000001 is dispatched: cannot reply`. */
export class InvalidTransitionError extends TicketConflictError {
  constructor(code: string, state: string, action: string) {
    super('INVALID_TRANSITION', `ticket ${code} is ${state}: cannot ${action}`);
  }
}

/** The client acted on an older version of the order than the stored one (optimistic lock). */
export class VersionConflictError extends TicketConflictError {
  constructor(code: string, given: number, stored?: number) {
    super('VERSION_CONFLICT', `ticket ${code} has changed (version ${given} given${stored === undefined ? '' : `, ${stored} stored`}): reload it and try again`);
  }
}

/** 退单 after the return deadline. */
export class ReturnTooLateError extends TicketConflictError {
  constructor(code: string, returnBy: Date) {
    super('RETURN_TOO_LATE', `ticket ${code} could be returned until ${returnBy.toISOString()}: it must now be handled or extended`);
  }
}

/** A second extension request while one is pending, or more than the maximum in all. */
export class ExtensionRefusedError extends TicketConflictError {
  constructor(message: string) {
    super('EXTENSION_NOT_ALLOWED', message);
  }
}

/** HTTP status of each code above (api/ answers them as 409). */
export const TICKET_CONFLICT_CODES: readonly string[] = ['INVALID_TRANSITION', 'VERSION_CONFLICT', 'RETURN_TOO_LATE', 'EXTENSION_NOT_ALLOWED'];
