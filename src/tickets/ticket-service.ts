import type { Logger } from '../logging/logger.js';
import { ValidationError } from '../shared/app-error.js';
import type { Clock } from '../shared/clock.js';
import { maskPhone } from '../shared/mask.js';
import type { Category, CategoryRepository, HandlingUnit, UnitRepository } from './catalog.js';
import { phoneField } from './field-schemas.js';
import type { OverdueOrder, SupervisionAttempt, SupervisionTickets } from './supervision-port.js';
import { SurveyCallLog } from './survey-call-log.js';
import type { SurveyCallAttempt, SurveyCallHistory, SurveyTickets } from './survey-port.js';
import { fieldError, findVisible, unitOf } from './ticket-access.js';
import { TicketActions } from './ticket-actions.js';
import { localDay } from './ticket-code.js';
import { DeadlinePolicy, type DeadlineDefaults } from './ticket-deadlines.js';
import { parseTicketInput, type TicketInput } from './ticket-input.js';
import type { TicketAction } from './ticket-lifecycle.js';
import { deadlineRangeFor, ticketLight, type Light, type TicketLight } from './ticket-lights.js';
import { TicketSupervision } from './ticket-supervision.js';
import type { Channel, DuplicateLink, NewTicketEvent, Ticket, TicketActor, TicketDraft, TicketRepository, TicketSort, TicketState, TicketWithEvents } from './ticket.js';
import type { WorkingDayCalendar } from './working-day-calendar.js';

export { DEFAULT_DEADLINES, type DeadlineDefaults } from './ticket-deadlines.js';

export const TICKET_LIST_MAX_LIMIT = 200;
/** shared/DOMAIN.md: the same caller about the same category within this window is linked. */
export const DEFAULT_DUPLICATE_WINDOW_DAYS = 7;
const MS_PER_DAY = 86_400_000;

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
  /** Calendar days (counted back from intake) in which a repeat request is linked; default 7. */
  readonly duplicateWindowDays?: number;
  /** Knowledge-base articles (issue 12): which of these ids exist. Absent: `articleIds` are not checked. */
  readonly articles?: { existing(ids: readonly number[]): Promise<number[]> };
}

export interface PageRequest {
  readonly limit: number;
  readonly offset: number;
}

/** A ticket as read: with its light, computed from the clock at read time. */
export type LitTicket<T extends Ticket = Ticket> = T & TicketLight;

export interface LitTicketPage {
  readonly items: readonly LitTicket[];
  readonly total: number;
}

export interface TicketListFilter {
  readonly phone?: string | undefined;
  readonly light?: Light | undefined;
  /** Any of these states. */
  readonly states?: readonly TicketState[] | undefined;
  /** Orders held by this unit now (hotline roles; a unit user always gets its own unit). */
  readonly unitId?: number | undefined;
  /** `pending`: only orders with an extension request waiting for a decision. */
  readonly extension?: 'pending' | undefined;
  readonly sort?: TicketSort | undefined;
}

/**
 * Work orders: intake (受理) with duplicate linking, reading with lights, the lifecycle actions
 * (ticket-actions.ts) and the supervision port (ticket-supervision.ts).
 */
export class TicketService implements SupervisionTickets, SurveyTickets {
  private readonly policy: DeadlinePolicy;
  private readonly actions: TicketActions;
  private readonly supervision: TicketSupervision;
  private readonly surveyCallLog: SurveyCallLog;
  private readonly duplicateWindowMs: number;

  constructor(private readonly deps: TicketServiceDeps) {
    this.policy = new DeadlinePolicy(deps.calendar, deps.deadlines);
    this.actions = new TicketActions({ ...deps, deadlines: this.policy });
    this.supervision = new TicketSupervision(deps);
    this.surveyCallLog = new SurveyCallLog(deps.tickets);
    const days = deps.duplicateWindowDays ?? DEFAULT_DUPLICATE_WINDOW_DAYS;
    if (!Number.isFinite(days) || days < 0) throw new RangeError(`duplicateWindowDays must be ≥ 0, not ${days}`);
    this.duplicateWindowMs = days * MS_PER_DAY;
  }

  async create(input: unknown, actor: TicketActor, channel: Channel): Promise<LitTicket<TicketWithEvents>> {
    const form = parseTicketInput(input);
    const lineage = await this.deps.categories.lineage(form.categoryId);
    const category = lineage[0];
    if (category === undefined) throw fieldError('ticket', 'categoryId', `names no category (${form.categoryId})`);
    if (!category.active) throw fieldError('ticket', 'categoryId', `names category ${category.code} ${category.name}, which is no longer in use`);
    const unit = form.answeredOnCall ? null : await this.chooseUnit(form, lineage);
    await this.checkArticles(form.articleIds);

    const now = new Date(this.deps.clock.now());
    const deadlines = unit === null ? null : this.policy.compute(lineage, form.requestType, form.urgency, now);
    const earlier = this.duplicateWindowMs > 0 ? await this.deps.tickets.latestFrom(form.residentPhone, category.id, new Date(now.getTime() - this.duplicateWindowMs)) : undefined;
    const original = earlier === undefined ? null : (earlier.duplicateOf ?? earlier.id);
    const draft: TicketDraft = {
      requestType: form.requestType,
      categoryId: category.id,
      content: form.content,
      address: form.address,
      residentName: form.residentName,
      residentPhone: form.residentPhone,
      doNotCall: form.doNotCall ?? false,
      urgency: form.urgency,
      answeredOnCall: form.answeredOnCall,
      callId: form.callId,
      handlingUnitId: unit?.id ?? null,
      currentUnitId: unit?.id ?? null,
      state: form.answeredOnCall ? 'closed' : 'dispatched',
      signBy: deadlines?.signBy ?? null,
      returnBy: deadlines?.returnBy ?? null,
      replyBy: deadlines?.replyBy ?? null,
      closedAt: form.answeredOnCall ? now : null,
      dispatchCount: unit === null ? 0 : 1,
      reopenCount: 0,
      escalationLevel: 0,
      extensionStatus: null,
      extensionDays: null,
      extensionReason: null,
      extensionGrantedDays: 0,
      duplicateOf: original,
      duplicate: original !== null,
      replyContent: null,
      repliedByName: null,
      repliedByPhone: null,
      satisfaction: null,
      resolution: null,
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
        data: { requestType: form.requestType, categoryId: category.id, urgency: form.urgency, callId: form.callId, ...(form.articleIds.length > 0 ? { articleIds: form.articleIds } : {}) },
      },
    ];
    let link: DuplicateLink | undefined;
    if (original !== null) {
      events.push({ ...base, type: 'linked-duplicate', unitId: null, note: null, data: { duplicateOf: original, role: 'duplicate' } });
      link = {
        ticketId: original,
        event: (created) => ({ ...base, type: 'linked-duplicate', unitId: null, note: null, data: { duplicate: created.id, duplicateCode: created.code, role: 'original' } }),
      };
    }
    if (unit === null || deadlines === null) {
      events.push({ ...base, type: 'closed', unitId: null, note: form.answer, data: { answeredOnCall: true } });
    } else {
      const iso = { signBy: deadlines.signBy.toISOString(), returnBy: deadlines.returnBy.toISOString(), replyBy: deadlines.replyBy.toISOString() };
      events.push({ ...base, type: 'dispatched', unitId: unit.id, note: null, data: { unitCode: unit.code, redispatch: false, ...iso } });
    }
    const ticket = await this.deps.tickets.create(localDay(now, this.deps.timeZone), draft, events, link);
    this.deps.logger.info('ticket created', {
      ticketId: ticket.code,
      state: ticket.state,
      unitId: ticket.currentUnitId,
      agentId: actor.id,
      duplicateOf: original,
      phone: maskPhone(ticket.residentPhone),
    });
    return this.lit(ticket);
  }

  /** Each linked knowledge article must exist: 400 naming `articleIds.<i>`. */
  private async checkArticles(ids: readonly number[]): Promise<void> {
    if (ids.length === 0 || this.deps.articles === undefined) return;
    const found = new Set(await this.deps.articles.existing(ids));
    const i = ids.findIndex((id) => !found.has(id));
    if (i >= 0) throw fieldError('ticket', `articleIds.${i}`, `names no knowledge article (${ids[i] ?? ''})`);
  }

  /** The ticket with its events and light; NotFoundError when missing or (for a unit user) not its unit's. */
  async get(code: string, viewer: TicketActor): Promise<LitTicket<TicketWithEvents>> {
    return this.lit(await findVisible(this.deps.tickets, code, viewer));
  }

  /**
   * One lifecycle action (ticket-lifecycle.ts) with its form `input` (which carries `version`).
   * Throws NotFoundError, ValidationError, AppError FORBIDDEN, InvalidTransitionError, VersionConflictError, ReturnTooLateError.
   */
  async act(code: string, action: TicketAction, input: unknown, actor: TicketActor, channel: Channel): Promise<LitTicket<TicketWithEvents>> {
    return this.lit(await this.actions.perform(code, action, input, actor, channel));
  }

  /** The caller's history for the agent's screen-pop, newest first. */
  async listByPhone(phone: string, viewer: TicketActor, page: PageRequest): Promise<LitTicketPage> {
    return this.list({ phone }, viewer, page);
  }

  /**
   * Newest first, or with `sort: 'deadline'` the current step's deadline soonest first (orders
   * without one last). A unit user sees only its unit's tickets whatever `unitId` says; `light`
   * filters on the current step's deadline; `states`, `unitId` and `extension` narrow further.
   */
  async list(filter: TicketListFilter, viewer: TicketActor, page: PageRequest): Promise<LitTicketPage> {
    checkPage(page);
    let phone: string | undefined;
    if (filter.phone !== undefined) {
      const parsed = phoneField.safeParse(filter.phone);
      if (!parsed.success) throw fieldError('query', 'phone', parsed.error.issues[0]?.message ?? 'is not a phone number');
      phone = parsed.data;
    }
    // A unit user sees only its own unit's orders: its `unitId` filter can never widen that.
    const currentUnitId = viewer.role === 'unit' ? unitOf(viewer) : filter.unitId;
    const now = new Date(this.deps.clock.now());
    const deadline = filter.light === undefined ? undefined : deadlineRangeFor(filter.light, now, this.deps.calendar);
    const result = await this.deps.tickets.list(
      {
        phone,
        currentUnitId,
        deadline,
        states: filter.states === undefined || filter.states.length === 0 ? undefined : filter.states,
        extensionStatus: filter.extension,
        sort: filter.sort,
      },
      page,
    );
    return { items: result.items.map((t) => this.lit(t, now)), total: result.total };
  }

  /** Reviewed orders waiting for the 回访 survey, the longest waiting first; never a do-not-call order. */
  async surveyCandidates(limit: number): Promise<LitTicket[]> {
    checkPage({ limit, offset: 0 });
    const rows = await this.deps.tickets.inStates(['reviewed'], limit, { excludeDoNotCall: true });
    return rows.filter((t) => !t.doNotCall).map((t) => this.lit(t));
  }

  /** Survey call attempts of this survey round per order (survey-port.ts). */
  surveyCalls(tickets: readonly Pick<Ticket, 'id' | 'reopenCount'>[]): Promise<Map<number, SurveyCallHistory>> {
    return this.surveyCallLog.history(tickets);
  }

  recordSurveyCall(attempt: SurveyCallAttempt): Promise<void> {
    return this.surveyCallLog.record(attempt);
  }

  overdue(now: Date, includeYellow: boolean): Promise<OverdueOrder[]> {
    return this.supervision.overdue(now, includeYellow);
  }

  recordAttempt(attempt: SupervisionAttempt): Promise<void> {
    return this.supervision.recordAttempt(attempt);
  }

  escalate(ticketId: number, level: number, reason: string, at: Date): Promise<void> {
    return this.supervision.escalate(ticketId, level, reason, at);
  }

  private lit<T extends Ticket>(ticket: T, now = new Date(this.deps.clock.now())): LitTicket<T> {
    return { ...ticket, ...ticketLight(ticket, now, this.deps.calendar) };
  }

  private async chooseUnit(form: TicketInput, lineage: readonly Category[]): Promise<HandlingUnit> {
    if (form.handlingUnitId !== null) {
      const unit = await this.deps.units.get(form.handlingUnitId);
      if (unit === undefined) throw fieldError('ticket', 'handlingUnitId', `names no handling unit (${form.handlingUnitId})`);
      if (!unit.active) throw fieldError('ticket', 'handlingUnitId', `names ${unit.name}, which is no longer in use`);
      return unit;
    }
    const defaultUnitId = lineage.find((c) => c.defaultUnitId !== null)?.defaultUnitId ?? null;
    const unit = defaultUnitId === null ? undefined : await this.deps.units.get(defaultUnitId);
    if (unit === undefined) throw fieldError('ticket', 'handlingUnitId', 'is required: the category names no default handling unit');
    if (!unit.active) throw fieldError('ticket', 'handlingUnitId', `is required: the category's default unit ${unit.name} is no longer in use`);
    return unit;
  }
}

function checkPage(page: PageRequest): void {
  const issues: { path: string; message: string }[] = [];
  if (!Number.isInteger(page.limit) || page.limit < 1 || page.limit > TICKET_LIST_MAX_LIMIT) {
    issues.push({ path: 'limit', message: `must be a whole number from 1 to ${TICKET_LIST_MAX_LIMIT}` });
  }
  if (!Number.isInteger(page.offset) || page.offset < 0) issues.push({ path: 'offset', message: 'must be a whole number ≥ 0' });
  if (issues.length > 0) throw new ValidationError(`invalid page: ${issues.map((i) => `${i.path} ${i.message}`).join('; ')}`, issues);
}
