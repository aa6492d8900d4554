/**
 * Work orders (工单) as `/api/v1/tickets` answers them (src/api/tickets.routes.ts `toTicketJson`),
 * and the calls the pages make. Kept by hand beside the server's types: the browser build must not
 * pull server modules in; a field renamed there fails the browser tests.
 */
import { api } from './http';

export const TICKET_STATES = ['created', 'dispatched', 'signed', 'in-progress', 'returned', 'replied', 'reviewed', 'surveyed', 'closed'] as const;
export type TicketState = (typeof TICKET_STATES)[number];
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
export type Light = 'green' | 'yellow' | 'red';
export const LIGHT_NAMES: Record<Light, string> = { green: '绿灯（正常）', yellow: '黄灯（临期）', red: '红灯（超期）' };
export const REQUEST_TYPES = { consult: '咨询', help: '求助', complaint: '投诉举报', suggestion: '建议', praise: '表扬' } as const;
export type RequestType = keyof typeof REQUEST_TYPES;
export const URGENCIES = { normal: '一般', urgent: '紧急', emergency: '特急' } as const;
export type Urgency = keyof typeof URGENCIES;
export const SATISFACTIONS = { satisfied: '满意', basically: '基本满意', unsatisfied: '不满意', unreachable: '未评价' } as const;
export type Satisfaction = keyof typeof SATISFACTIONS;
export const RESOLUTIONS = { resolved: '已解决', partly: '部分解决', unresolved: '未解决' } as const;
export type Resolution = keyof typeof RESOLUTIONS;
export type ExtensionStatus = 'pending' | 'approved' | 'refused';

export type TicketEventType =
  | 'created' | 'dispatched' | 'signed' | 'returned' | 'started'
  | 'extension-requested' | 'extension-approved' | 'extension-refused'
  | 'replied' | 'review-approved' | 'review-rejected' | 'surveyed' | 'reopened' | 'closed'
  | 'escalated' | 'supervision-call' | 'supervision-acknowledged' | 'linked-duplicate' | 'survey-call';

export interface TicketEventJson {
  readonly id: number;
  readonly ticketId: number;
  readonly type: TicketEventType;
  readonly actorUserId: number;
  readonly actorRole: string;
  readonly channel: 'phone' | 'web' | 'api';
  readonly unitId: number | null;
  readonly note: string | null;
  readonly data: Readonly<Record<string, unknown>>;
  readonly at: string;
}

export interface TicketJson {
  readonly id: number;
  readonly code: string;
  readonly requestType: RequestType;
  readonly requestTypeName: string;
  readonly categoryId: number;
  readonly content: string;
  readonly address: string | null;
  readonly residentName: string | null;
  readonly residentPhone: string;
  readonly doNotCall: boolean;
  readonly urgency: Urgency;
  readonly urgencyName: string;
  readonly answeredOnCall: boolean;
  readonly callId: string | null;
  readonly handlingUnitId: number | null;
  readonly currentUnitId: number | null;
  readonly state: TicketState;
  readonly signBy: string | null;
  readonly returnBy: string | null;
  readonly replyBy: string | null;
  readonly closedAt: string | null;
  readonly light: Light | null;
  readonly overdueWorkingDays: number;
  /** Whole working days left on the current step's deadline (0 when red, under one day, or none). */
  readonly remainingWorkingDays: number;
  readonly dispatchCount: number;
  readonly reopenCount: number;
  readonly escalationLevel: number;
  readonly extensionStatus: ExtensionStatus | null;
  readonly extensionDays: number | null;
  readonly extensionReason: string | null;
  readonly extensionGrantedDays: number | null;
  readonly duplicateOf: number | null;
  readonly duplicate: boolean;
  readonly replyContent: string | null;
  readonly repliedByName: string | null;
  readonly repliedByPhone: string | null;
  readonly satisfaction: Satisfaction | null;
  readonly resolution: Resolution | null;
  readonly version: number;
  readonly createdBy: number;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly events?: readonly TicketEventJson[];
}

export interface TicketPage {
  readonly items: readonly TicketJson[];
  readonly total: number;
  readonly limit: number;
  readonly offset: number;
}

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
