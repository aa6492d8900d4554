/**
 * The work order (工单) as the domain sees it, and the repository the domain needs for it
 * (implemented in db/). Lifecycle and vocabulary: shared/DOMAIN.md "The work order (工单) lifecycle".
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

/** Request types that must say where (地点): somebody has to go there. */
export const TYPES_NEEDING_ADDRESS: readonly RequestType[] = ['complaint', 'help'];

export const URGENCIES = { normal: '一般', urgent: '紧急', emergency: '特急' } as const;
export type Urgency = keyof typeof URGENCIES;

/**
 * States of this part of the lifecycle. `created` is transient (the same transaction moves
 * the order on); the later states (signed, in progress, replied …) come with the lifecycle issue.
 */
export type TicketState = 'created' | 'dispatched' | 'closed';

/** Event types written so far: 受理, 派单, 办结. */
export type TicketEventType = 'created' | 'dispatched' | 'closed';

/** Where the actor acted from. */
export type Channel = 'phone' | 'web' | 'api';
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
  readonly replyBy: Date | null;
  readonly closedAt: Date | null;
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

export interface TicketPage {
  readonly items: readonly Ticket[];
  readonly total: number;
}

export interface TicketFilter {
  /** Resident phone, exact. */
  readonly phone?: string | undefined;
  /** Only tickets currently held by this unit. */
  readonly currentUnitId?: number | undefined;
}

export interface TicketRepository {
  /**
   * Stores the ticket and its events in one transaction, allocating the next code of `day`
   * (`YYYYMMDD`); nothing is stored when any part fails.
   */
  create(day: string, draft: TicketDraft, events: readonly NewTicketEvent[]): Promise<TicketWithEvents>;
  findByCode(code: string): Promise<TicketWithEvents | undefined>;
  /** Newest first (created_at, then id). */
  list(filter: TicketFilter, page: { limit: number; offset: number }): Promise<TicketPage>;
}
