import { AppError } from '../shared/app-error.js';
import { InvalidTransitionError } from './ticket-errors.js';
import type { Ticket, TicketActor, TicketState } from './ticket.js';

/**
 * The work-order state machine (shared/DOMAIN.md "The work order (工单) lifecycle"):
 *
 * ```
 * created ─dispatch─► dispatched ─sign─► signed ─start─► in-progress ─reply─► replied ─review-approve─► reviewed ─survey─► closed
 *            ▲            │  return        │ return, reply ▲   │ request/approve/refuse-extension    │            │ survey 不满意 → dispatched (重办)
 * returned ◄─┴────────────┴────────────────┘               └───┴──── review-reject ◄─────────────────┘            │ close → closed
 * closed ─reopen─► dispatched                                                                                      reviewed/surveyed ─close─► closed
 * ```
 * Each action names the states it starts from and the roles that may take it; what it changes is
 * in ticket-actions.ts. A refused move throws InvalidTransitionError (HTTP 409).
 */
export const TICKET_ACTIONS = {
  dispatch: { from: ['created', 'returned'], roles: ['agent', 'supervisor', 'admin'] },
  sign: { from: ['dispatched'], roles: ['unit', 'supervisor', 'admin'] },
  return: { from: ['dispatched', 'signed'], roles: ['unit'] },
  start: { from: ['signed'], roles: ['unit'] },
  'request-extension': { from: ['signed', 'in-progress'], roles: ['unit'] },
  'approve-extension': { from: ['signed', 'in-progress'], roles: ['supervisor', 'admin'] },
  'refuse-extension': { from: ['signed', 'in-progress'], roles: ['supervisor', 'admin'] },
  reply: { from: ['signed', 'in-progress'], roles: ['unit'] },
  'review-approve': { from: ['replied'], roles: ['supervisor', 'admin'] },
  'review-reject': { from: ['replied'], roles: ['supervisor', 'admin'] },
  survey: { from: ['reviewed'], roles: ['agent', 'supervisor', 'admin', 'system'] },
  close: { from: ['reviewed', 'surveyed'], roles: ['supervisor', 'admin'] },
  reopen: { from: ['closed'], roles: ['supervisor', 'admin'] },
} as const satisfies Record<string, { from: readonly TicketState[]; roles: readonly string[] }>;

export type TicketAction = keyof typeof TICKET_ACTIONS;
export const TICKET_ACTION_NAMES = Object.keys(TICKET_ACTIONS) as TicketAction[];

/** Roles of the hotline itself: they see every order. */
export const HOTLINE_ROLES: readonly string[] = ['agent', 'supervisor', 'admin', 'system'];

export function isTicketAction(name: string): name is TicketAction {
  return Object.hasOwn(TICKET_ACTIONS, name);
}

/** The roles that may take `action` (for the routes' role checks). */
export function rolesFor(action: TicketAction): readonly string[] {
  return TICKET_ACTIONS[action].roles;
}

/**
 * Throws AppError FORBIDDEN when the actor's role may not take `action`, InvalidTransitionError
 * when the order's state does not allow it. Unit visibility (404) is checked before, by the caller.
 */
export function checkTransition(ticket: Ticket, action: TicketAction, actor: TicketActor): void {
  const rule = TICKET_ACTIONS[action];
  if (!(rule.roles as readonly string[]).includes(actor.role)) {
    throw new AppError('FORBIDDEN', `role ${actor.role} may not ${action} (needs ${rule.roles.join(' or ')})`);
  }
  if (!(rule.from as readonly TicketState[]).includes(ticket.state)) throw new InvalidTransitionError(ticket.code, ticket.state, action);
  const pending = ticket.extensionStatus === 'pending';
  if ((action === 'approve-extension' || action === 'refuse-extension') && !pending) {
    throw new InvalidTransitionError(ticket.code, `${ticket.state} with no extension pending`, action);
  }
}
