/**
 * Work orders (工单) on the wire: `/api/v1/tickets` (api/tickets.routes.ts `toTicketJson`) and what the
 * browser reads of them. Name tables the server validates with and the browser shows are kept here once.
 * Dependency-free: only other files of src/shared/wire (see README.md).
 */

/** Request types with their Chinese names; the English key is what is stored. */
export const REQUEST_TYPES = {
  consult: '咨询',
  help: '求助',
  complaint: '投诉举报',
  suggestion: '建议',
  praise: '表扬',
} as const;
export type RequestType = keyof typeof REQUEST_TYPES;

export const URGENCIES = { normal: '一般', urgent: '紧急', emergency: '特急' } as const;
export type Urgency = keyof typeof URGENCIES;

/**
 * States of the lifecycle (shared/DOMAIN.md); transitions in tickets/ticket-lifecycle.ts.
 * `created` is transient (the same transaction moves the order on). `surveyed` is kept for orders a
 * supervisor closes by hand after the survey; a survey result normally closes or reopens at once.
 */
export const TICKET_STATES = ['created', 'dispatched', 'signed', 'in-progress', 'returned', 'replied', 'reviewed', 'surveyed', 'closed'] as const;
export type TicketState = (typeof TICKET_STATES)[number];

/** Every event type of the append-only log (全过程留痕). */
export const TICKET_EVENT_TYPES = [
  'created',
  'dispatched',
  'signed',
  'returned',
  'started',
  'extension-requested',
  'extension-approved',
  'extension-refused',
  'replied',
  'review-approved',
  'review-rejected',
  'surveyed',
  'reopened',
  'closed',
  'escalated',
  'supervision-call',
  'supervision-acknowledged',
  'linked-duplicate',
  /** One 回访 call attempt (automated or preview), with its result: see tickets/survey-port.ts. */
  'survey-call',
] as const;
export type TicketEventType = (typeof TICKET_EVENT_TYPES)[number];

export const SATISFACTIONS = { satisfied: '满意', basically: '基本满意', unsatisfied: '不满意', unreachable: '未评价' } as const;
export type Satisfaction = keyof typeof SATISFACTIONS;
export const RESOLUTIONS = { resolved: '已解决', partly: '部分解决', unresolved: '未解决' } as const;
export type Resolution = keyof typeof RESOLUTIONS;

export type ExtensionStatus = 'pending' | 'approved' | 'refused';

/** Where the actor acted from. */
export type Channel = 'phone' | 'web' | 'api';

/**
 * 红黄绿灯 (shared/DOMAIN.md): red when the current step's deadline has passed, yellow when it falls
 * within one working day, green otherwise; null when no deadline runs.
 */
export type Light = 'green' | 'yellow' | 'red';
export const LIGHTS = ['green', 'yellow', 'red'] as const satisfies readonly Light[];

/** One event of an order's log; `at` is ISO 8601 UTC. */
export interface TicketEventJson {
  readonly id: number;
  readonly ticketId: number;
  readonly type: TicketEventType;
  readonly actorUserId: number;
  readonly actorRole: string;
  readonly channel: Channel;
  readonly unitId: number | null;
  readonly note: string | null;
  readonly data: Readonly<Record<string, unknown>>;
  readonly at: string;
}

/** A work order as the API answers it: times as ISO 8601 UTC strings, the light computed at read time. */
export interface TicketJson {
  readonly id: number;
  /** `YYYYMMDD-NNNNNN`. */
  readonly code: string;
  readonly requestType: RequestType;
  readonly requestTypeName: string;
  readonly categoryId: number;
  readonly content: string;
  readonly address: string | null;
  readonly residentName: string | null;
  readonly residentPhone: string;
  /** 勿扰: no survey call is placed. */
  readonly doNotCall: boolean;
  readonly urgency: Urgency;
  readonly urgencyName: string;
  /** 直办: answered on the call and closed at once. */
  readonly answeredOnCall: boolean;
  readonly callId: string | null;
  /** The unit the order was first dispatched to. */
  readonly handlingUnitId: number | null;
  /** The unit holding the order now. */
  readonly currentUnitId: number | null;
  readonly state: TicketState;
  readonly signBy: string | null;
  readonly returnBy: string | null;
  readonly replyBy: string | null;
  readonly closedAt: string | null;
  readonly light: Light | null;
  /** Whole working days past the deadline (0 unless red). */
  readonly overdueWorkingDays: number;
  /** Whole working days left on the current step's deadline (0 when red, under one day, or none). */
  readonly remainingWorkingDays: number;
  readonly dispatchCount: number;
  readonly reopenCount: number;
  /** 0 none … 3 (督办 escalation). */
  readonly escalationLevel: number;
  readonly extensionStatus: ExtensionStatus | null;
  readonly extensionDays: number | null;
  readonly extensionReason: string | null;
  readonly extensionGrantedDays: number;
  readonly duplicateOf: number | null;
  readonly duplicate: boolean;
  readonly replyContent: string | null;
  readonly repliedByName: string | null;
  readonly repliedByPhone: string | null;
  readonly satisfaction: Satisfaction | null;
  readonly resolution: Resolution | null;
  /** Optimistic lock: every action sends the version the page saw. */
  readonly version: number;
  readonly createdBy: number;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** The full log, oldest first: on a single order (GET /tickets/:code, actions), not on lists. */
  readonly events?: readonly TicketEventJson[];
}

/** `GET /tickets`. */
export interface TicketPageJson {
  readonly items: readonly TicketJson[];
  readonly total: number;
  readonly limit: number;
  readonly offset: number;
}
