import { Router, type ErrorRequestHandler } from 'express';
import { TicketConflictError } from '../tickets/ticket-errors.js';
import { rolesFor, TICKET_ACTION_NAMES } from '../tickets/ticket-lifecycle.js';
import type { TicketService } from '../tickets/ticket-service.js';
import type { ApiErrorBody } from './api-error-handler.js';
import { currentUser, requireRole, ROLES } from './auth-context.js';
import { parseInput } from './parse-input.js';
import { codeParams } from './path-params.js';
import { toTicketJson } from './tickets.routes.js';

/**
 * `POST /tickets/:code/actions/<action>` with `{ version, ...fields }` for each lifecycle action
 * (tickets/ticket-lifecycle.ts): 200 with the updated ticket and its events; 400 naming each bad
 * field; 403 for a role that may not take the action; 404 for an unknown order or another unit's;
 * 409 INVALID_TRANSITION, VERSION_CONFLICT, RETURN_TOO_LATE, EXTENSION_NOT_ALLOWED.
 */
export function createTicketActionRoutes(deps: { readonly tickets: TicketService }): Router {
  const router = Router();
  for (const action of TICKET_ACTION_NAMES) {
    const roles = ROLES.filter((r) => rolesFor(action).includes(r));
    router.post(`/tickets/:code/actions/${action}`, requireRole(...roles), async (req, res) => {
      const { code } = parseInput(codeParams, req.params, 'path');
      const body: unknown = req.body ?? {};
      const ticket = await deps.tickets.act(code, action, body, currentUser(res), 'web');
      res.json(toTicketJson(ticket));
    });
  }
  return router;
}

/** Answers the lifecycle's conflicts as 409 with their stable code; other errors go on. */
export const ticketConflictHandler: ErrorRequestHandler = (err: unknown, _req, res, next) => {
  if (!(err instanceof TicketConflictError) || res.headersSent) {
    next(err);
    return;
  }
  const body: ApiErrorBody = { error: { code: err.code, message: err.message } };
  res.status(409).json(body);
};
