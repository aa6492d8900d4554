import { Router } from 'express';
import { z } from 'zod';
import { LIGHTS } from '../tickets/ticket-lights.js';
import { TICKET_LIST_MAX_LIMIT, type LitTicket, type TicketService } from '../tickets/ticket-service.js';
import { REQUEST_TYPES, TICKET_SORTS, TICKET_STATES, URGENCIES, type Channel, type TicketEvent, type TicketState, type TicketWithEvents } from '../tickets/ticket.js';
import type { TicketEventJson, TicketJson, TicketPageJson } from '../shared/wire/tickets.js';
import { currentUser, requireRole } from './auth-context.js';
import { createTicketActionRoutes, ticketConflictHandler } from './ticket-actions.routes.js';
import { parseInput } from './parse-input.js';
import { codeParams } from './path-params.js';

export const TICKETS_DEFAULT_LIMIT = 20;

function intParam(min: number, max: number) {
  return z
    .string({ error: 'must be a whole number, given once' })
    .regex(/^\d{1,10}$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));
}

/** `state=dispatched,signed`: each name checked, the refusal names the bad one. */
const stateList = z
  .string({ error: 'must be a comma-separated list of states, given once' })
  .transform((text, ctx): TicketState[] => {
    const names = text.split(',').map((n) => n.trim());
    const states: TicketState[] = [];
    for (const name of names) {
      if ((TICKET_STATES as readonly string[]).includes(name)) {
        if (!states.includes(name as TicketState)) states.push(name as TicketState);
      } else {
        ctx.addIssue({ code: 'custom', message: `names an unknown state "${name}": use ${TICKET_STATES.join(', ')}` });
      }
    }
    return states;
  });

const listQuery = z.strictObject({
  phone: z.string({ error: 'must be given once' }).optional(),
  light: z.enum(LIGHTS, { error: `must be one of ${LIGHTS.join(', ')}` }).optional(),
  state: stateList.optional(),
  unitId: intParam(1, 2_147_483_647).optional(),
  extension: z.enum(['pending'], { error: 'must be pending, given once' }).optional(),
  sort: z.enum(TICKET_SORTS, { error: `must be one of ${TICKET_SORTS.join(', ')}, given once` }).default('created'),
  limit: intParam(1, TICKET_LIST_MAX_LIMIT).default(TICKETS_DEFAULT_LIMIT),
  offset: intParam(0, 2_147_483_647).default(0),
});

export interface TicketRoutesDeps {
  readonly tickets: TicketService;
}

export type { TicketEventJson, TicketJson } from '../shared/wire/tickets.js';

export function toTicketEventJson(e: TicketEvent): TicketEventJson {
  return { id: e.id, ticketId: e.ticketId, type: e.type, actorUserId: e.actorUserId, actorRole: e.actorRole, channel: e.channel, unitId: e.unitId, note: e.note, data: e.data, at: e.at.toISOString() };
}

export function toTicketJson(t: LitTicket | LitTicket<TicketWithEvents>): TicketJson {
  const json: TicketJson = {
    id: t.id,
    code: t.code,
    requestType: t.requestType,
    requestTypeName: REQUEST_TYPES[t.requestType],
    categoryId: t.categoryId,
    content: t.content,
    address: t.address,
    residentName: t.residentName,
    residentPhone: t.residentPhone,
    doNotCall: t.doNotCall,
    urgency: t.urgency,
    urgencyName: URGENCIES[t.urgency],
    answeredOnCall: t.answeredOnCall,
    callId: t.callId,
    handlingUnitId: t.handlingUnitId,
    currentUnitId: t.currentUnitId,
    state: t.state,
    signBy: t.signBy?.toISOString() ?? null,
    returnBy: t.returnBy?.toISOString() ?? null,
    replyBy: t.replyBy?.toISOString() ?? null,
    closedAt: t.closedAt?.toISOString() ?? null,
    light: t.light,
    overdueWorkingDays: t.overdueWorkingDays,
    remainingWorkingDays: t.remainingWorkingDays,
    dispatchCount: t.dispatchCount,
    reopenCount: t.reopenCount,
    escalationLevel: t.escalationLevel,
    extensionStatus: t.extensionStatus,
    extensionDays: t.extensionDays,
    extensionReason: t.extensionReason,
    extensionGrantedDays: t.extensionGrantedDays,
    duplicateOf: t.duplicateOf,
    duplicate: t.duplicate,
    replyContent: t.replyContent,
    repliedByName: t.repliedByName,
    repliedByPhone: t.repliedByPhone,
    satisfaction: t.satisfaction,
    resolution: t.resolution,
    version: t.version,
    createdBy: t.createdBy,
    createdAt: t.createdAt.toISOString(),
    updatedAt: t.updatedAt.toISOString(),
  };
  if ('events' in t) return { ...json, events: t.events.map(toTicketEventJson) };
  return json;
}

/**
 * `/tickets` under /api/v1 (authenticated): intake by agents, supervisors and admins; reading by
 * them and by unit users (their own unit's tickets only). The list takes `light=red|yellow|green`
 * (the current step's deadline), `state=a,b` (any of these states), `unitId` (held by that unit now;
 * a unit user always gets its own unit), `extension=pending` and `sort=created|deadline`; the
 * lifecycle actions are in ticket-actions.routes.ts.
 */
export function createTicketRoutes(deps: TicketRoutesDeps): Router {
  const router = Router();

  router.post('/tickets', requireRole('agent', 'supervisor', 'admin'), async (req, res) => {
    const user = currentUser(res);
    // A ticket tied to a call was taken on the phone; otherwise it was typed in from the web desktop.
    const body: unknown = req.body;
    const channel: Channel = typeof body === 'object' && body !== null && typeof (body as { callId?: unknown }).callId === 'string' ? 'phone' : 'web';
    const ticket = await deps.tickets.create(body, user, channel);
    res.status(201).location(`/api/v1/tickets/${ticket.code}`).json(toTicketJson(ticket));
  });

  router.get('/tickets', requireRole('agent', 'supervisor', 'admin', 'unit'), async (req, res) => {
    const user = currentUser(res);
    const { phone, light, state, unitId, extension, sort, limit, offset } = parseInput(listQuery, req.query, 'query');
    const page = await deps.tickets.list({ phone, light, states: state, unitId, extension, sort }, user, { limit, offset });
    const body: TicketPageJson = { items: page.items.map(toTicketJson), total: page.total, limit, offset };
    res.json(body);
  });

  router.get('/tickets/:code', requireRole('agent', 'supervisor', 'admin', 'unit'), async (req, res) => {
    const { code } = parseInput(codeParams, req.params, 'path');
    const ticket = await deps.tickets.get(code, currentUser(res));
    res.json(toTicketJson(ticket));
  });

  router.use(createTicketActionRoutes(deps));
  // Lifecycle refusals (INVALID_TRANSITION, VERSION_CONFLICT …) are 409 whatever the global map says.
  router.use(ticketConflictHandler);
  return router;
}
