/**
 * Work orders (工单) as `/api/v1/tickets` answers them, and the calls the pages make. The shapes and
 * the name tables are the server's own (@wire/tickets = src/shared/wire/tickets.ts); the Chinese names
 * of states and lights are the pages'.
 */
import * as wire from '@wire/tickets';
import type { Light, TicketJson, TicketPageJson, TicketState } from '@wire/tickets';
import { api } from './http';

// Bound here rather than re-exported: the pages then import this module, and the tables stay in its
// chunk instead of a chunk of their own (one more request and import on every page using them).
export const REQUEST_TYPES = wire.REQUEST_TYPES;
export const URGENCIES = wire.URGENCIES;
export const SATISFACTIONS = wire.SATISFACTIONS;
export const RESOLUTIONS = wire.RESOLUTIONS;
export const TICKET_STATES = wire.TICKET_STATES;
export type { ExtensionStatus, Light, RequestType, Resolution, Satisfaction, TicketEventJson, TicketEventType, TicketJson, TicketState, Urgency } from '@wire/tickets';
export type TicketPage = TicketPageJson;

export const STATE_NAMES: Record<TicketState, string> = {
  created: '已受理',
  dispatched: '已派单',
  signed: '已签收',
  'in-progress': '办理中',
  returned: '已退单',
  replied: '已答复',
  reviewed: '已审核',
  surveyed: '已回访',
  closed: '已办结',
};
export const LIGHT_NAMES: Record<Light, string> = { green: '绿灯（正常）', yellow: '黄灯（临期）', red: '红灯（超期）' };

/**
 * GET /tickets filters. `state` (comma list), `unitId`, `extension` and `sort` are the workspace's
 * additions (issue 10): a unit user always sees only its own unit, whatever `unitId` says.
 */
export interface TicketQuery {
  readonly phone?: string;
  readonly light?: Light;
  readonly state?: readonly TicketState[];
  readonly unitId?: number;
  readonly extension?: 'pending';
  /** created: newest first (default); deadline: the current step's deadline, soonest first. */
  readonly sort?: 'created' | 'deadline';
  readonly limit?: number;
  readonly offset?: number;
}

export type TicketAction =
  | 'dispatch' | 'sign' | 'return' | 'start' | 'request-extension' | 'approve-extension' | 'refuse-extension'
  | 'reply' | 'review-approve' | 'review-reject' | 'survey' | 'close' | 'reopen';

export function listTickets(q: TicketQuery = {}, signal?: AbortSignal): Promise<TicketPage> {
  return api.get<TicketPage>(
    '/tickets',
    {
      phone: q.phone,
      light: q.light,
      state: q.state === undefined || q.state.length === 0 ? undefined : q.state.join(','),
      unitId: q.unitId,
      extension: q.extension,
      sort: q.sort,
      limit: q.limit,
      offset: q.offset,
    },
    signal,
  );
}

export function getTicket(code: string): Promise<TicketJson> {
  return api.get<TicketJson>(`/tickets/${encodeURIComponent(code)}`);
}

/** A lifecycle action with the version the page saw (a stale page gets 409 VERSION_CONFLICT). */
export function actOnTicket(code: string, action: TicketAction, version: number, fields: Record<string, unknown> = {}): Promise<TicketJson> {
  return api.post<TicketJson>(`/tickets/${encodeURIComponent(code)}/actions/${action}`, { ...fields, version });
}

export function createTicket(body: Record<string, unknown>): Promise<TicketJson> {
  return api.post<TicketJson>('/tickets', body);
}
