import { Router } from 'express';
import { CALLBACK_SKILL, type PreviewTasks } from '../calls/preview-tasks.js';
import type { TicketService } from '../tickets/ticket-service.js';
import { currentUser, ForbiddenError, requireRole, type AuthUser } from './auth-context.js';
import { parseInput } from './parse-input.js';
import { codeParams, idParams } from './path-params.js';
import { ticketConflictHandler } from './ticket-actions.routes.js';
import { toTicketJson } from './tickets.routes.js';

export interface SurveyRoutesDeps {
  readonly tickets: Pick<TicketService, 'act'>;
  readonly preview: Pick<PreviewTasks, 'surveyRecorded' | 'callbackDone'>;
  /** Skills of an agent user (callback staff have `callback`). */
  readonly skillsOf: (user: AuthUser) => Promise<readonly string[]>;
  /** Told after a callback request is done, e.g. to refresh the open list on every desktop. */
  readonly onCallbackDone?: () => void;
}


/**
 * Results of preview dialing (回访组), for agents with the `callback` skill, supervisors and admins:
 * - `POST /surveys/:code/result` with `{ version, satisfaction, resolution, note? }`: the `survey`
 *   action (channel `phone`: the answer was given on the phone): 满意/基本满意/无法联系 close the
 *   order, 不满意 reopens it (重办). 200 with the order; 400 naming each bad field; 404; 409
 *   INVALID_TRANSITION / VERSION_CONFLICT (someone else stored it first).
 * - `POST /callbacks/:id/done`: the queue callback request is done (200 `{ id, status: 'done' }`; 404).
 * Either one finishes the agent's preview task and makes the agent ready again.
 */
export function createSurveyRoutes(deps: SurveyRoutesDeps): Router {
  const router = Router();
  const callbackStaff = async (user: AuthUser): Promise<void> => {
    if (user.role !== 'agent') return;
    if (!(await deps.skillsOf(user)).includes(CALLBACK_SKILL)) throw new ForbiddenError(`agent ${user.username} is not callback staff (needs the ${CALLBACK_SKILL} skill)`);
  };

  router.post('/surveys/:code/result', requireRole('agent', 'supervisor', 'admin'), async (req, res) => {
    const user = currentUser(res);
    await callbackStaff(user);
    const { code } = parseInput(codeParams, req.params, 'path');
    const body: unknown = req.body ?? {};
    const ticket = await deps.tickets.act(code, 'survey', body, user, 'phone');
    deps.preview.surveyRecorded(ticket.code);
    res.json(toTicketJson(ticket));
  });

  router.post('/callbacks/:id/done', requireRole('agent', 'supervisor', 'admin'), async (req, res) => {
    const user = currentUser(res);
    await callbackStaff(user);
    const { id } = parseInput(idParams, req.params, 'path');
    await deps.preview.callbackDone(id, user);
    deps.onCallbackDone?.();
    res.json({ id, status: 'done' });
  });

  router.use(ticketConflictHandler);
  return router;
}
