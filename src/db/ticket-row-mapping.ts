import { AppError } from '../shared/app-error.js';
import {
  CHANNELS,
  REQUEST_TYPES,
  RESOLUTIONS,
  SATISFACTIONS,
  TICKET_EVENT_TYPES,
  TICKET_STATES,
  URGENCIES,
  type ExtensionStatus,
  type RequestType,
  type Resolution,
  type Satisfaction,
  type Ticket,
  type TicketEvent,
  type Urgency,
} from '../tickets/ticket.js';
import type { TicketEventRow, TicketRow } from './ticket.model.js';

const EXTENSION_STATUSES: readonly ExtensionStatus[] = ['pending', 'approved', 'refused'];

/** A `tickets` row as the domain's Ticket; unknown stored values are DATA_CORRUPT, not guessed. */
export function toTicket(row: TicketRow): Ticket {
  const r = row.get({ plain: true });
  return {
    id: r.id,
    code: r.code,
    requestType: oneOf(Object.keys(REQUEST_TYPES) as RequestType[], r.requestType, 'requestType'),
    categoryId: r.categoryId,
    content: r.content,
    address: r.address,
    residentName: r.residentName,
    residentPhone: r.residentPhone,
    doNotCall: r.doNotCall,
    urgency: oneOf(Object.keys(URGENCIES) as Urgency[], r.urgency, 'urgency'),
    answeredOnCall: r.answeredOnCall,
    callId: r.callId,
    handlingUnitId: r.handlingUnitId,
    currentUnitId: r.currentUnitId,
    state: oneOf(TICKET_STATES, r.state, 'state'),
    signBy: asDateOrNull(r.signBy),
    returnBy: asDateOrNull(r.returnBy),
    replyBy: asDateOrNull(r.replyBy),
    closedAt: asDateOrNull(r.closedAt),
    dispatchCount: r.dispatchCount,
    reopenCount: r.reopenCount,
    escalationLevel: r.escalationLevel,
    extensionStatus: r.extensionStatus === null ? null : oneOf(EXTENSION_STATUSES, r.extensionStatus, 'extension status'),
    extensionDays: r.extensionDays,
    extensionReason: r.extensionReason,
    extensionGrantedDays: r.extensionGrantedDays,
    duplicateOf: r.duplicateOf,
    duplicate: r.duplicate,
    replyContent: r.replyContent,
    repliedByName: r.repliedByName,
    repliedByPhone: r.repliedByPhone,
    satisfaction: r.satisfaction === null ? null : oneOf(Object.keys(SATISFACTIONS) as Satisfaction[], r.satisfaction, 'satisfaction'),
    resolution: r.resolution === null ? null : oneOf(Object.keys(RESOLUTIONS) as Resolution[], r.resolution, 'resolution'),
    version: r.version,
    createdBy: r.createdBy,
    createdAt: asDate(r.createdAt),
    updatedAt: asDate(r.updatedAt),
  };
}

export function toEvent(row: TicketEventRow): TicketEvent {
  const r = row.get({ plain: true });
  let data: unknown;
  try {
    data = JSON.parse(r.data);
  } catch (err) {
    throw new AppError('DATA_CORRUPT', `ticket event ${r.id} has data that is not JSON`, { cause: err });
  }
  return {
    id: r.id,
    ticketId: r.ticketId,
    type: oneOf(TICKET_EVENT_TYPES, r.type, 'event type'),
    actorUserId: r.actorUserId,
    actorRole: r.actorRole,
    channel: oneOf(CHANNELS, r.channel, 'channel'),
    unitId: r.unitId,
    note: r.note,
    data: typeof data === 'object' && data !== null && !Array.isArray(data) ? (data as Record<string, unknown>) : {},
    at: asDate(r.at),
  };
}

function oneOf<T extends string>(allowed: readonly T[], value: string, what: string): T {
  const found = allowed.find((a) => a === value);
  if (found !== undefined) return found;
  throw new AppError('DATA_CORRUPT', `stored ticket has an unknown ${what} "${value}"`);
}

function asDate(value: Date | string): Date {
  return value instanceof Date ? value : new Date(value);
}

function asDateOrNull(value: Date | string | null): Date | null {
  return value === null ? null : asDate(value);
}
