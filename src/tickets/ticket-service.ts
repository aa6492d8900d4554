import type { Logger } from '../logging/logger.js';
import { AppError, NotFoundError, ValidationError } from '../shared/app-error.js';
import type { Clock } from '../shared/clock.js';
import { maskPhone } from '../shared/mask.js';
import type { Category, CategoryRepository, HandlingUnit, UnitRepository } from './catalog.js';
import { phoneField } from './field-schemas.js';
import { localDay, TICKET_CODE_PATTERN } from './ticket-code.js';
import { parseTicketInput, type TicketInput } from './ticket-input.js';
import type { Channel, NewTicketEvent, TicketActor, TicketDraft, TicketPage, TicketRepository, TicketWithEvents } from './ticket.js';
import type { WorkingDayCalendar } from './working-day-calendar.js';

/**
 * Deadlines used when neither the category nor any ancestor names one (shared/DOMAIN.md: sign
 * within 1 working day, reply within 4; 2 h for emergencies).
 */
export interface DeadlineDefaults {
  readonly signDays: number;
  readonly replyDays: number;
  /** An emergency (特急) order must be signed and replied within these hours, whatever the category says. */
  readonly emergencySignHours: number;
  readonly emergencyReplyHours: number;
}

export const DEFAULT_DEADLINES: DeadlineDefaults = { signDays: 1, replyDays: 4, emergencySignHours: 1, emergencyReplyHours: 2 };

export const TICKET_LIST_MAX_LIMIT = 200;

const MS_PER_HOUR = 3_600_000;

export interface TicketServiceDeps {
  readonly tickets: TicketRepository;
  readonly categories: CategoryRepository;
  readonly units: UnitRepository;
  readonly calendar: WorkingDayCalendar;
  readonly clock: Clock;
  /** IANA zone of the centre (config TZ, e.g. Asia/Shanghai): dates the ticket codes. */
  readonly timeZone: string;
  readonly logger: Logger;
  readonly deadlines?: Partial<DeadlineDefaults>;
}

export interface PageRequest {
  readonly limit: number;
  readonly offset: number;
}

/**
 * Work-order intake (受理): validates the form, picks the handling unit and the deadlines, and stores
 * the order with its events (受理, then 派单 or, for 直办, 办结) in one transaction.
 */
export class TicketService {
  private readonly deadlines: DeadlineDefaults;

  constructor(private readonly deps: TicketServiceDeps) {
    this.deadlines = { ...DEFAULT_DEADLINES, ...deps.deadlines };
  }

  async create(input: unknown, actor: TicketActor, channel: Channel): Promise<TicketWithEvents> {
    const form = parseTicketInput(input);
    const lineage = await this.deps.categories.lineage(form.categoryId);
    const category = lineage[0];
    if (category === undefined) throw fieldError('categoryId', `names no category (${form.categoryId})`);
    if (!category.active) throw fieldError('categoryId', `names category ${category.code} ${category.name}, which is no longer in use`);
    const unit = form.answeredOnCall ? null : await this.chooseUnit(form, lineage);

    const now = new Date(this.deps.clock.now());
    const deadlines = unit === null ? { signBy: null, replyBy: null } : this.deadlinesFor(lineage, form.urgency, now);
    const draft: TicketDraft = {
      requestType: form.requestType,
      categoryId: category.id,
      content: form.content,
      address: form.address,
      residentName: form.residentName,
      residentPhone: form.residentPhone,
      urgency: form.urgency,
      answeredOnCall: form.answeredOnCall,
      callId: form.callId,
      handlingUnitId: unit?.id ?? null,
      currentUnitId: unit?.id ?? null,
      state: form.answeredOnCall ? 'closed' : 'dispatched',
      signBy: deadlines.signBy,
      replyBy: deadlines.replyBy,
      closedAt: form.answeredOnCall ? now : null,
      createdBy: actor.id,
      createdAt: now,
    };
    const base = { actorUserId: actor.id, actorRole: actor.role, channel, at: now };
    const events: NewTicketEvent[] = [
      {
        ...base,
        type: 'created',
        unitId: null,
        note: null,
        data: { requestType: form.requestType, categoryId: category.id, urgency: form.urgency, callId: form.callId },
      },
    ];
    if (unit === null) {
      events.push({ ...base, type: 'closed', unitId: null, note: form.answer, data: { answeredOnCall: true } });
    } else {
      events.push({
        ...base,
        type: 'dispatched',
        unitId: unit.id,
        note: null,
        data: { unitCode: unit.code, signBy: deadlines.signBy?.toISOString() ?? null, replyBy: deadlines.replyBy?.toISOString() ?? null },
      });
    }
    const ticket = await this.deps.tickets.create(localDay(now, this.deps.timeZone), draft, events);
    this.deps.logger.info('ticket created', {
      ticketId: ticket.code,
      state: ticket.state,
      unitId: ticket.currentUnitId,
      agentId: actor.id,
      phone: maskPhone(ticket.residentPhone),
    });
    return ticket;
  }

  /** The ticket with its events; NotFoundError when missing or (for a unit user) not its unit's. */
  async get(code: string, viewer: TicketActor): Promise<TicketWithEvents> {
    const missing = new NotFoundError(`no ticket ${code}`);
    if (!TICKET_CODE_PATTERN.test(code)) throw missing;
    const ticket = await this.deps.tickets.findByCode(code);
    if (ticket === undefined) throw missing;
    // A unit sees only what it holds; answering 404 (not 403) does not reveal other units' orders.
    if (viewer.role === 'unit' && ticket.currentUnitId !== unitOf(viewer)) throw missing;
    return ticket;
  }

  /** The caller's history for the agent's screen-pop, newest first. */
  async listByPhone(phone: string, viewer: TicketActor, page: PageRequest): Promise<TicketPage> {
    return this.list({ phone }, viewer, page);
  }

  /** Newest first; a unit user sees only its unit's tickets. */
  async list(filter: { phone?: string | undefined }, viewer: TicketActor, page: PageRequest): Promise<TicketPage> {
    checkPage(page);
    let phone: string | undefined;
    if (filter.phone !== undefined) {
      const parsed = phoneField.safeParse(filter.phone);
      if (!parsed.success) throw fieldError('phone', parsed.error.issues[0]?.message ?? 'is not a phone number');
      phone = parsed.data;
    }
    const currentUnitId = viewer.role === 'unit' ? unitOf(viewer) : undefined;
    return this.deps.tickets.list({ phone, currentUnitId }, page);
  }

  private async chooseUnit(form: TicketInput, lineage: readonly Category[]): Promise<HandlingUnit> {
    if (form.handlingUnitId !== null) {
      const unit = await this.deps.units.get(form.handlingUnitId);
      if (unit === undefined) throw fieldError('handlingUnitId', `names no handling unit (${form.handlingUnitId})`);
      if (!unit.active) throw fieldError('handlingUnitId', `names ${unit.name}, which is no longer in use`);
      return unit;
    }
    const defaultUnitId = lineage.find((c) => c.defaultUnitId !== null)?.defaultUnitId ?? null;
    const unit = defaultUnitId === null ? undefined : await this.deps.units.get(defaultUnitId);
    if (unit === undefined) throw fieldError('handlingUnitId', 'is required: the category names no default handling unit');
    if (!unit.active) throw fieldError('handlingUnitId', `is required: the category's default unit ${unit.name} is no longer in use`);
    return unit;
  }

  /** Each deadline comes from the nearest category (self, then ancestors) that names one. */
  private deadlinesFor(lineage: readonly Category[], urgency: TicketInput['urgency'], now: Date): { signBy: Date; replyBy: Date } {
    const { calendar } = this.deps;
    const reply = lineage.find((c) => c.replyDays !== null || c.replyHours !== null);
    const signDays = lineage.find((c) => c.signDays !== null)?.signDays ?? this.deadlines.signDays;
    let replyBy =
      reply?.replyHours !== undefined && reply.replyHours !== null
        ? new Date(now.getTime() + reply.replyHours * MS_PER_HOUR)
        : calendar.addWorkingDays(now, reply?.replyDays ?? this.deadlines.replyDays);
    let signBy = calendar.addWorkingDays(now, signDays);
    if (urgency === 'emergency') {
      replyBy = earliest(replyBy, new Date(now.getTime() + this.deadlines.emergencyReplyHours * MS_PER_HOUR));
      signBy = earliest(signBy, new Date(now.getTime() + this.deadlines.emergencySignHours * MS_PER_HOUR));
    }
    // Signing after the reply is due makes no sense (e.g. a 24 h reply with a 1-day sign over a weekend).
    return { signBy: earliest(signBy, replyBy), replyBy };
  }
}

function earliest(a: Date, b: Date): Date {
  return a.getTime() <= b.getTime() ? a : b;
}

function unitOf(viewer: TicketActor): number {
  if (viewer.unitId === undefined) throw new AppError('FORBIDDEN', 'this unit account is not linked to a handling unit');
  return viewer.unitId;
}

function fieldError(path: string, message: string): ValidationError {
  return new ValidationError(`invalid ticket: ${path} ${message}`, [{ path, message }]);
}

function checkPage(page: PageRequest): void {
  const issues: { path: string; message: string }[] = [];
  if (!Number.isInteger(page.limit) || page.limit < 1 || page.limit > TICKET_LIST_MAX_LIMIT) {
    issues.push({ path: 'limit', message: `must be a whole number from 1 to ${TICKET_LIST_MAX_LIMIT}` });
  }
  if (!Number.isInteger(page.offset) || page.offset < 0) issues.push({ path: 'offset', message: 'must be a whole number ≥ 0' });
  if (issues.length > 0) throw new ValidationError(`invalid page: ${issues.map((i) => `${i.path} ${i.message}`).join('; ')}`, issues);
}
