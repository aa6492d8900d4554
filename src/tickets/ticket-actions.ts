import type { Logger } from '../logging/logger.js';
import type { Clock } from '../shared/clock.js';
import type { CategoryRepository, HandlingUnit, UnitRepository } from './catalog.js';
import { parseActionInput, type ActionInput } from './ticket-action-input.js';
import { fieldError, findVisible } from './ticket-access.js';
import type { DeadlinePolicy, StepDeadlines } from './ticket-deadlines.js';
import { ExtensionRefusedError, ReturnTooLateError, VersionConflictError } from './ticket-errors.js';
import { checkTransition, type TicketAction } from './ticket-lifecycle.js';
import type { Channel, NewTicketEvent, Ticket, TicketActor, TicketEventType, TicketPatch, TicketRepository, TicketWithEvents } from './ticket.js';

export interface TicketActionsDeps {
  readonly tickets: TicketRepository;
  readonly categories: CategoryRepository;
  readonly units: UnitRepository;
  readonly deadlines: DeadlinePolicy;
  readonly clock: Clock;
  readonly logger: Logger;
}

/** What one action writes: the row's changes and the events appended with them. */
interface Change {
  readonly patch: TicketPatch;
  readonly events: readonly NewTicketEvent[];
}

type EventMaker = (type: TicketEventType, extra?: { unitId?: number | null; note?: string | null; data?: Record<string, unknown> }) => NewTicketEvent;

/**
 * The lifecycle transitions after intake (派单 … 办结). Each action: visibility (404), form (400),
 * version (409 VERSION_CONFLICT), role (403) and state (409 INVALID_TRANSITION); then the row change
 * and its events are written in one transaction, guarded by the version read.
 */
export class TicketActions {
  constructor(private readonly deps: TicketActionsDeps) {}

  async perform(code: string, action: TicketAction, input: unknown, actor: TicketActor, channel: Channel): Promise<TicketWithEvents> {
    const ticket = await findVisible(this.deps.tickets, code, actor);
    const form = parseActionInput(action, input);
    if (form.version !== ticket.version) throw new VersionConflictError(ticket.code, form.version, ticket.version);
    checkTransition(ticket, action, actor);
    const now = new Date(this.deps.clock.now());
    const event: EventMaker = (type, extra = {}) => ({
      type,
      actorUserId: actor.id,
      actorRole: actor.role,
      channel,
      at: now,
      unitId: extra.unitId === undefined ? ticket.currentUnitId : extra.unitId,
      note: extra.note ?? null,
      data: extra.data ?? {},
    });
    const change = await this.change(ticket, action, form, now, event);
    const updated = await this.deps.tickets.update(ticket.id, form.version, change.patch, change.events);
    this.deps.logger.info('ticket action', { ticketId: ticket.code, action, state: updated.state, unitId: updated.currentUnitId, agentId: actor.id });
    return updated;
  }

  private async change(ticket: Ticket, action: TicketAction, form: ActionInput<TicketAction>, now: Date, event: EventMaker): Promise<Change> {
    switch (action) {
      case 'dispatch': {
        const f = form as ActionInput<'dispatch'>;
        const unit = await this.activeUnit(f.unitId, 'dispatch');
        const d = await this.deadlinesFrom(ticket, now);
        return {
          patch: { state: 'dispatched', currentUnitId: unit.id, handlingUnitId: ticket.handlingUnitId ?? unit.id, ...d, dispatchCount: ticket.dispatchCount + 1, ...noExtension() },
          events: [event('dispatched', { unitId: unit.id, note: f.note, data: { unitCode: unit.code, redispatch: ticket.dispatchCount > 0, ...iso(d) } })],
        };
      }
      case 'sign':
        return { patch: { state: 'signed' }, events: [event('signed', { note: (form as ActionInput<'sign'>).note })] };
      case 'return': {
        if (ticket.returnBy !== null && now.getTime() > ticket.returnBy.getTime()) throw new ReturnTooLateError(ticket.code, ticket.returnBy);
        return {
          patch: { state: 'returned', currentUnitId: null, signBy: null, returnBy: null, replyBy: null, ...noExtension() },
          events: [event('returned', { note: (form as ActionInput<'return'>).reason })],
        };
      }
      case 'start':
        return { patch: { state: 'in-progress' }, events: [event('started', { note: (form as ActionInput<'start'>).note })] };
      case 'request-extension':
        return this.requestExtension(ticket, form as ActionInput<'request-extension'>, event);
      case 'approve-extension': {
        const f = form as ActionInput<'approve-extension'>;
        const asked = ticket.extensionDays ?? 0;
        if (f.days !== undefined && f.days > asked) throw fieldError('extension approval', 'days', `must be at most ${asked}: the unit asked for ${asked} working days`);
        const days = f.days ?? asked;
        const from = ticket.replyBy ?? now;
        const replyBy = this.deps.deadlines.extend(from, days);
        return {
          patch: { replyBy, extensionStatus: 'approved', extensionGrantedDays: ticket.extensionGrantedDays + days },
          events: [event('extension-approved', { note: f.note, data: { days, asked, previousReplyBy: from.toISOString(), replyBy: replyBy.toISOString() } })],
        };
      }
      case 'refuse-extension':
        return {
          patch: { extensionStatus: 'refused' },
          events: [event('extension-refused', { note: (form as ActionInput<'refuse-extension'>).note, data: { days: ticket.extensionDays } })],
        };
      case 'reply': {
        const f = form as ActionInput<'reply'>;
        return {
          patch: {
            state: 'replied',
            replyContent: f.content,
            repliedByName: f.handlerName,
            repliedByPhone: f.handlerPhone,
            // A reply makes a pending extension request moot.
            ...(ticket.extensionStatus === 'pending' ? { extensionStatus: null } : {}),
          },
          events: [event('replied', { note: f.content, data: { handlerName: f.handlerName, handlerPhone: f.handlerPhone, late: ticket.replyBy !== null && now > ticket.replyBy } })],
        };
      }
      case 'review-approve':
        return { patch: { state: 'reviewed' }, events: [event('review-approved', { note: (form as ActionInput<'review-approve'>).note })] };
      case 'review-reject':
        return { patch: { state: 'in-progress' }, events: [event('review-rejected', { note: (form as ActionInput<'review-reject'>).reason })] };
      case 'survey':
        return this.survey(ticket, form as ActionInput<'survey'>, now, event);
      case 'close':
        return { patch: { state: 'closed', closedAt: now }, events: [event('closed', { note: (form as ActionInput<'close'>).note })] };
      case 'reopen': {
        const f = form as ActionInput<'reopen'>;
        const unitId = f.unitId ?? ticket.currentUnitId ?? ticket.handlingUnitId;
        if (unitId === null) throw fieldError('reopen', 'unitId', 'is required: the order has no handling unit to reopen it to');
        return this.reopen(ticket, await this.activeUnit(unitId, 'reopen'), now, event, f.reason, 'manual');
      }
    }
  }

  private requestExtension(ticket: Ticket, f: ActionInput<'request-extension'>, event: EventMaker): Change {
    if (ticket.extensionStatus === 'pending') throw new ExtensionRefusedError(`ticket ${ticket.code} already has an extension request pending`);
    const left = this.deps.deadlines.defaults.maxExtensionDays - ticket.extensionGrantedDays;
    if (f.days > left) {
      throw fieldError('extension request', 'days', `must be at most ${left}: ${ticket.extensionGrantedDays} of ${this.deps.deadlines.defaults.maxExtensionDays} working days are already granted`);
    }
    return {
      patch: { extensionStatus: 'pending', extensionDays: f.days, extensionReason: f.reason },
      events: [event('extension-requested', { note: f.reason, data: { days: f.days, replyBy: ticket.replyBy?.toISOString() ?? null } })],
    };
  }

  /** 满意/基本满意 → 办结; 无法联系 → 办结 未评价; 不满意 → 重办 to the same unit. */
  private async survey(ticket: Ticket, f: ActionInput<'survey'>, now: Date, event: EventMaker): Promise<Change> {
    const surveyed = event('surveyed', { note: f.note, data: { satisfaction: f.satisfaction, resolution: f.resolution, callId: f.callId } });
    const result: TicketPatch = { satisfaction: f.satisfaction, resolution: f.resolution };
    if (f.satisfaction !== 'unsatisfied') {
      return {
        patch: { ...result, state: 'closed', closedAt: now },
        events: [surveyed, event('closed', { data: { satisfaction: f.satisfaction, rated: f.satisfaction !== 'unreachable' } })],
      };
    }
    const unitId = ticket.currentUnitId ?? ticket.handlingUnitId;
    const unit = unitId === null ? undefined : await this.deps.units.get(unitId);
    if (unit === undefined) throw fieldError('survey', 'satisfaction', 'cannot reopen the order: it has no handling unit');
    const reopened = await this.reopen(ticket, unit, now, event, null, 'unsatisfied');
    return { patch: { ...result, ...reopened.patch }, events: [surveyed, ...reopened.events] };
  }

  private async reopen(ticket: Ticket, unit: HandlingUnit, now: Date, event: EventMaker, reason: string | null, cause: 'unsatisfied' | 'manual'): Promise<Change> {
    const d = await this.deadlinesFrom(ticket, now);
    return {
      patch: { state: 'dispatched', currentUnitId: unit.id, ...d, closedAt: null, reopenCount: ticket.reopenCount + 1, ...noExtension() },
      events: [event('reopened', { unitId: unit.id, note: reason, data: { cause, unitCode: unit.code, reopenCount: ticket.reopenCount + 1, ...iso(d) } })],
    };
  }

  private async deadlinesFrom(ticket: Ticket, now: Date): Promise<StepDeadlines> {
    const lineage = await this.deps.categories.lineage(ticket.categoryId);
    return this.deps.deadlines.compute(lineage, ticket.requestType, ticket.urgency, now);
  }

  private async activeUnit(id: number, what: string): Promise<HandlingUnit> {
    const unit = await this.deps.units.get(id);
    if (unit === undefined) throw fieldError(what, 'unitId', `names no handling unit (${id})`);
    if (!unit.active) throw fieldError(what, 'unitId', `names ${unit.name}, which is no longer in use`);
    return unit;
  }
}

function noExtension(): TicketPatch {
  return { extensionStatus: null, extensionDays: null, extensionReason: null, extensionGrantedDays: 0 };
}

function iso(d: StepDeadlines): Record<string, string> {
  return { signBy: d.signBy.toISOString(), returnBy: d.returnBy.toISOString(), replyBy: d.replyBy.toISOString() };
}
