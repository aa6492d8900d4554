/**
 * The work order (工单) as the domain sees it, and the repository the domain needs for it
 * (implemented in db/). Lifecycle and vocabulary: shared/DOMAIN.md "The work order (工单) lifecycle".
 */

import type { Channel, ExtensionStatus, RequestType, Resolution, Satisfaction, TicketEventType, TicketState, Urgency } from '../shared/wire/tickets.js';

// The vocabulary the API shows the browser is declared once, in the wire types (src/shared/wire).
export {
  REQUEST_TYPES,
  RESOLUTIONS,
  SATISFACTIONS,
  TICKET_EVENT_TYPES,
  TICKET_STATES,
  URGENCIES,
  type Channel,
  type ExtensionStatus,
  type RequestType,
  type Resolution,
  type Satisfaction,
  type TicketEventType,
  type TicketState,
  type Urgency,
} from '../shared/wire/tickets.js';

/** Request types that must say where (地点): somebody has to go there. */
export const TYPES_NEEDING_ADDRESS: readonly RequestType[] = ['complaint', 'help'];

/** The actor of scheduled jobs (supervision calls, survey campaigns). */
export const SYSTEM_ACTOR: TicketActor = { id: 0, role: 'system' };

/** Where the actor acted from. */
export const CHANNELS: readonly Channel[] = ['phone', 'web', 'api'];

/** The user acting on or viewing tickets (api/AuthUser fits this shape). */
export interface TicketActor {
  readonly id: number;
  readonly role: string;
  /** Handling unit of a `unit` user. */
  readonly unitId?: number | undefined;
}

export interface TicketEvent {
  readonly id: number;
  readonly ticketId: number;
  readonly type: TicketEventType;
  readonly actorUserId: number;
  readonly actorRole: string;
  readonly channel: Channel;
  readonly unitId: number | null;
  readonly note: string | null;
  readonly data: Readonly<Record<string, unknown>>;
  readonly at: Date;
}

export type NewTicketEvent = Omit<TicketEvent, 'id' | 'ticketId'>;

export interface Ticket {
  readonly id: number;
  /** `YYYYMMDD-NNNNNN`, the day in the configured time zone (see ticket-code.ts). */
  readonly code: string;
  readonly requestType: RequestType;
  readonly categoryId: number;
  readonly content: string;
  readonly address: string | null;
  readonly residentName: string | null;
  /** Stored in full; masked only in logs. */
  readonly residentPhone: string;
  /** 勿扰: the resident asked not to be called back; no survey call (IVR or agent) is placed. */
  readonly doNotCall: boolean;
  readonly urgency: Urgency;
  /** 直办: answered on the call and closed at once. */
  readonly answeredOnCall: boolean;
  readonly callId: string | null;
  /** The unit the order was first dispatched to. */
  readonly handlingUnitId: number | null;
  /** The unit holding the order now (changes on 退单 / re-dispatch). */
  readonly currentUnitId: number | null;
  readonly state: TicketState;
  readonly signBy: Date | null;
  /** 退单 is refused after this instant (RETURN_TOO_LATE). */
  readonly returnBy: Date | null;
  readonly replyBy: Date | null;
  readonly closedAt: Date | null;
  /** 派单 count, re-dispatches included (重复转办率: orders with dispatchCount > 1). */
  readonly dispatchCount: number;
  /** 重办 count: reopened after 不满意 or by a supervisor. */
  readonly reopenCount: number;
  /** 0 none … 3 (督办 escalation). */
  readonly escalationLevel: number;
  readonly extensionStatus: ExtensionStatus | null;
  /** Working days asked for by the last extension request. */
  readonly extensionDays: number | null;
  readonly extensionReason: string | null;
  /** Working days granted so far (at most 10 in all). */
  readonly extensionGrantedDays: number;
  /** The earlier order this one repeats (same caller, same category, within the window). */
  readonly duplicateOf: number | null;
  readonly duplicate: boolean;
  readonly replyContent: string | null;
  /** 答复人, 答复电话. */
  readonly repliedByName: string | null;
  readonly repliedByPhone: string | null;
  readonly satisfaction: Satisfaction | null;
  readonly resolution: Resolution | null;
  /** Optimistic lock: incremented by every write of the row. */
  readonly version: number;
  readonly createdBy: number;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export interface TicketWithEvents extends Ticket {
  readonly events: readonly TicketEvent[];
}

/** What the service hands the repository: a ticket without its code and ids. */
export type TicketDraft = Omit<Ticket, 'id' | 'code' | 'version' | 'updatedAt'>;

/** The columns a transition may change (the repository bumps version and sets updatedAt). */
export type TicketPatch = Partial<
  Pick<
    Ticket,
    | 'state'
    | 'currentUnitId'
    | 'handlingUnitId'
    | 'signBy'
    | 'returnBy'
    | 'replyBy'
    | 'closedAt'
    | 'dispatchCount'
    | 'reopenCount'
    | 'escalationLevel'
    | 'extensionStatus'
    | 'extensionDays'
    | 'extensionReason'
    | 'extensionGrantedDays'
    | 'replyContent'
    | 'repliedByName'
    | 'repliedByPhone'
    | 'satisfaction'
    | 'resolution'
  >
>;

/**
 * Bounds on the deadline of the current step: sign_by while dispatched, reply_by while signed or in
 * progress (orders in other states never match). Each bound is optional.
 */
export interface DeadlineRange {
  readonly before?: Date | undefined;
  readonly notBefore?: Date | undefined;
  readonly notAfter?: Date | undefined;
  readonly after?: Date | undefined;
}

/** Links a new order to an earlier one: the earlier one gets `event(newTicket)` in the same transaction. */
export interface DuplicateLink {
  readonly ticketId: number;
  readonly event: (created: { readonly id: number; readonly code: string }) => NewTicketEvent;
}

export interface TicketPage {
  readonly items: readonly Ticket[];
  readonly total: number;
}

export interface TicketFilter {
  /** Resident phone, exact. */
  readonly phone?: string | undefined;
  /** Only tickets currently held by this unit. */
  readonly currentUnitId?: number | undefined;
  /** Only tickets whose current-step deadline lies in this range (the light filter). */
  readonly deadline?: DeadlineRange | undefined;
  readonly states?: readonly TicketState[] | undefined;
  /** Only tickets whose last extension request is in this status (`pending`: waiting for a decision). */
  readonly extensionStatus?: ExtensionStatus | undefined;
  /** `created` (default): newest first; `deadline`: see TicketSort. */
  readonly sort?: TicketSort | undefined;
}

/**
 * Orders of a ticket list. `created`: newest first (created_at, then id, both descending).
 * `deadline`: the current step's deadline soonest first (sign_by while dispatched, reply_by while
 * signed or in progress, as ticket-lights.ts `currentStep`), orders without one last; ties by id ascending.
 */
export const TICKET_SORTS = ['created', 'deadline'] as const;
export type TicketSort = (typeof TICKET_SORTS)[number];

export interface TicketRepository {
  /**
   * Stores the ticket and its events in one transaction, allocating the next code of `day`
   * (`YYYYMMDD`); nothing is stored when any part fails.
   */
  create(day: string, draft: TicketDraft, events: readonly NewTicketEvent[], link?: DuplicateLink): Promise<TicketWithEvents>;
  findByCode(code: string): Promise<TicketWithEvents | undefined>;
  findById(id: number): Promise<TicketWithEvents | undefined>;
  /** In `filter.sort` order (default newest first: created_at, then id). */
  list(filter: TicketFilter, page: { limit: number; offset: number }): Promise<TicketPage>;
  /**
   * Applies `patch` and appends `events` in one transaction when the row is still at
   * `expectedVersion` (the version becomes expectedVersion + 1); otherwise throws VersionConflictError
   * and writes nothing.
   */
  update(id: number, expectedVersion: number, patch: TicketPatch, events: readonly NewTicketEvent[]): Promise<TicketWithEvents>;
  /** Appends events that change no column of the order (supervision calls); the version stays. */
  appendEvents(ticketId: number, events: readonly NewTicketEvent[]): Promise<void>;
  /** Events of these types on these tickets, oldest first. */
  events(ticketIds: readonly number[], types: readonly TicketEventType[]): Promise<TicketEvent[]>;
  /** The newest order from `phone` about `categoryId` created at or after `since`. */
  latestFrom(phone: string, categoryId: number, since: Date): Promise<Ticket | undefined>;
  /**
   * Oldest first (updated_at, then id): e.g. reviewed orders waiting for the survey.
   * `excludeDoNotCall` leaves out orders whose resident asked not to be called.
   */
  inStates(states: readonly TicketState[], limit: number, options?: { readonly excludeDoNotCall?: boolean }): Promise<Ticket[]>;
}
