import { literal, Op, QueryTypes, UniqueConstraintError, type Order, type Sequelize, type Transaction, type WhereOptions } from 'sequelize';
import { NotFoundError, toAppError } from '../shared/app-error.js';
import { storedPhoneForms } from '../shared/phone-number.js';
import { formatTicketCode } from '../tickets/ticket-code.js';
import { VersionConflictError } from '../tickets/ticket-errors.js';
import type {
  DeadlineRange,
  DuplicateLink,
  NewTicketEvent,
  Ticket,
  TicketDraft,
  TicketEvent,
  TicketEventType,
  TicketFilter,
  TicketPage,
  TicketPatch,
  TicketRepository,
  TicketState,
  TicketWithEvents,
} from '../tickets/ticket.js';
import type { FactEvent, OrderFact } from '../metrics/order-facts.js';
import { ReportAggregates } from './report-aggregates.js';
import { toEvent, toTicket } from './ticket-row-mapping.js';
import { defineTicketModels, type TicketModels, type TicketRow } from './ticket.model.js';
import { ticketTransaction } from './ticket-transaction.js';

/**
 * TicketRepository on `tickets`, `ticket_events` and `ticket_sequences`; returns plain objects. Every
 * write also brings the report aggregates up to date in its transaction (report_order_days: the
 * order's facts before the write taken off, after it added; metrics/order-facts.ts). The order row
 * is locked first, so two writes of one order see each other's log.
 */
export class SequelizeTicketRepository implements TicketRepository {
  private readonly m: TicketModels;
  private readonly aggregates: ReportAggregates;

  /** `timeZone`: the centre's (config TZ), whose local days the aggregates count. */
  constructor(
    private readonly sequelize: Sequelize,
    options: { readonly timeZone?: string } = {},
  ) {
    this.m = defineTicketModels(sequelize);
    this.aggregates = new ReportAggregates(sequelize, options.timeZone);
  }

  async create(day: string, draft: TicketDraft, events: readonly NewTicketEvent[], link?: DuplicateLink): Promise<TicketWithEvents> {
    try {
      await this.ensureSequenceRow(day);
      return await ticketTransaction(this.sequelize, async (transaction) => {
        // The UPDATE takes the day's row lock (MySQL) / the write lock (SQLite) until commit, so two
        // transactions never read the same value; a rollback gives the number back.
        await this.sequelize.query('UPDATE ticket_sequences SET last_value = last_value + 1 WHERE day = ?', { replacements: [day], transaction });
        const rows = await this.sequelize.query<{ last_value: number | string }>('SELECT last_value FROM ticket_sequences WHERE day = ?', {
          replacements: [day],
          type: QueryTypes.SELECT,
          transaction,
        });
        const sequence = Number(rows[0]?.last_value);
        const row = await this.m.tickets.create({ ...draft, code: formatTicketCode(day, sequence), version: 1, updatedAt: draft.createdAt }, { transaction });
        const stored = await this.insertEvents(row.id, events, transaction);
        const ticket = { ...toTicket(row), events: stored };
        let linked: { before: OrderFact[]; after: OrderFact[] } | undefined;
        if (link !== undefined) {
          // A locking read of the log too: this transaction's snapshot is older than the row lock.
          const other = await this.lockedWithEvents(link.ticketId, transaction, true);
          const added = await this.insertEvents(link.ticketId, [link.event({ id: row.id, code: row.code })], transaction);
          if (other !== undefined) linked = { before: this.factsOf(other), after: this.factsOf({ ...other, events: [...other.events, ...added] }) };
        }
        await this.aggregates.applyOrderChange(linked?.before ?? [], [...this.factsOf(ticket), ...(linked?.after ?? [])], transaction);
        return ticket;
      });
    } catch (err) {
      throw toAppError(err, 'DATABASE_ERROR', 'storing the ticket failed');
    }
  }

  async findByCode(code: string): Promise<TicketWithEvents | undefined> {
    try {
      return await this.withEvents(await this.m.tickets.findOne({ where: { code } }));
    } catch (err) {
      throw toAppError(err, 'DATABASE_ERROR', `reading ticket ${code} failed`);
    }
  }

  async findById(id: number): Promise<TicketWithEvents | undefined> {
    try {
      return await this.withEvents(await this.m.tickets.findByPk(id));
    } catch (err) {
      throw toAppError(err, 'DATABASE_ERROR', `reading ticket ${id} failed`);
    }
  }

  async list(filter: TicketFilter, page: { limit: number; offset: number }): Promise<TicketPage> {
    const and: WhereOptions<TicketRow>[] = [];
    // Rows stored before numbers were normalised may hold `86…`/`0086…`/`+86…` forms: match them too.
    if (filter.phone !== undefined) and.push({ residentPhone: { [Op.in]: storedPhoneForms(filter.phone) } });
    if (filter.currentUnitId !== undefined) and.push({ currentUnitId: filter.currentUnitId });
    if (filter.states !== undefined) and.push({ state: { [Op.in]: [...filter.states] } });
    if (filter.deadline !== undefined) and.push(deadlineWhere(filter.deadline));
    if (filter.extensionStatus !== undefined) and.push({ extensionStatus: filter.extensionStatus });
    try {
      const { rows, count } = await this.m.tickets.findAndCountAll({
        where: { [Op.and]: and },
        order: filter.sort === 'deadline' ? DEADLINE_ORDER : CREATED_ORDER,
        limit: page.limit,
        offset: page.offset,
      });
      return { items: rows.map(toTicket), total: count };
    } catch (err) {
      throw toAppError(err, 'DATABASE_ERROR', 'listing tickets failed');
    }
  }

  async update(id: number, expectedVersion: number, patch: TicketPatch, events: readonly NewTicketEvent[]): Promise<TicketWithEvents> {
    const at = events[0]?.at;
    if (at === undefined) throw new RangeError('a ticket update needs at least one event');
    try {
      return await ticketTransaction(this.sequelize, async (transaction) => {
        // The row lock (MySQL; SQLite writes one at a time) makes the log read here the whole log: any
        // other writer of this order waits, then sees the new version and gets a conflict.
        const before = await this.lockedWithEvents(id, transaction);
        if (before === undefined) throw new NotFoundError(`no ticket ${id}`);
        if (before.version !== expectedVersion) throw new VersionConflictError(before.code, expectedVersion, before.version);
        const [changed] = await this.m.tickets.update({ ...patch, version: expectedVersion + 1, updatedAt: at }, { where: { id, version: expectedVersion }, transaction });
        if (changed === 0) throw new VersionConflictError(before.code, expectedVersion, before.version + 1);
        const added = await this.insertEvents(id, events, transaction);
        const row = await this.m.tickets.findByPk(id, { transaction });
        if (row === null) throw new NotFoundError(`no ticket ${id}`);
        const ticket = { ...toTicket(row), events: [...before.events, ...added] };
        await this.aggregates.applyOrderChange(this.factsOf(before), this.factsOf(ticket), transaction);
        return ticket;
      });
    } catch (err) {
      throw toAppError(err, 'DATABASE_ERROR', `updating ticket ${id} failed`);
    }
  }

  async appendEvents(ticketId: number, events: readonly NewTicketEvent[]): Promise<void> {
    try {
      await ticketTransaction(this.sequelize, async (transaction) => {
        const before = await this.lockedWithEvents(ticketId, transaction);
        if (before === undefined) throw new NotFoundError(`no ticket ${ticketId}`);
        const added = await this.insertEvents(ticketId, events, transaction);
        await this.aggregates.applyOrderChange(this.factsOf(before), this.factsOf({ ...before, events: [...before.events, ...added] }), transaction);
      });
    } catch (err) {
      throw toAppError(err, 'DATABASE_ERROR', `appending events to ticket ${ticketId} failed`);
    }
  }

  async events(ticketIds: readonly number[], types: readonly TicketEventType[]): Promise<TicketEvent[]> {
    if (ticketIds.length === 0 || types.length === 0) return [];
    try {
      const rows = await this.m.events.findAll({ where: { ticketId: { [Op.in]: [...ticketIds] }, type: { [Op.in]: [...types] } }, order: [['id', 'ASC']] });
      return rows.map(toEvent);
    } catch (err) {
      throw toAppError(err, 'DATABASE_ERROR', 'reading ticket events failed');
    }
  }

  async latestFrom(phone: string, categoryId: number, since: Date): Promise<Ticket | undefined> {
    try {
      const row = await this.m.tickets.findOne({
        where: { residentPhone: { [Op.in]: storedPhoneForms(phone) }, categoryId, createdAt: { [Op.gte]: since } },
        order: [
          ['createdAt', 'DESC'],
          ['id', 'DESC'],
        ],
      });
      return row === null ? undefined : toTicket(row);
    } catch (err) {
      throw toAppError(err, 'DATABASE_ERROR', 'looking for an earlier ticket failed');
    }
  }

  async inStates(states: readonly TicketState[], limit: number, options: { readonly excludeDoNotCall?: boolean } = {}): Promise<Ticket[]> {
    try {
      const rows = await this.m.tickets.findAll({
        where: { state: { [Op.in]: [...states] }, ...(options.excludeDoNotCall === true ? { doNotCall: false } : {}) },
        order: [
          ['updatedAt', 'ASC'],
          ['id', 'ASC'],
        ],
        limit,
      });
      return rows.map(toTicket);
    } catch (err) {
      throw toAppError(err, 'DATABASE_ERROR', 'listing tickets by state failed');
    }
  }

  /** The order and its whole log, its row locked until the transaction ends (MySQL). */
  private async lockedWithEvents(id: number, transaction: Transaction, lockLog = false): Promise<TicketWithEvents | undefined> {
    return this.withEvents(await this.m.tickets.findByPk(id, { transaction, lock: transaction.LOCK.UPDATE }), transaction, lockLog);
  }

  private factsOf(ticket: TicketWithEvents): OrderFact[] {
    return this.aggregates.facts(ticket, ticket.events.map(factEvent));
  }

  private async withEvents(row: TicketRow | null, transaction?: Transaction, lockLog = false): Promise<TicketWithEvents | undefined> {
    if (row === null) return undefined;
    const events = await this.m.events.findAll({ where: { ticketId: row.id }, order: [['id', 'ASC']], transaction, ...(lockLog && transaction !== undefined ? { lock: transaction.LOCK.SHARE } : {}) });
    return { ...toTicket(row), events: events.map(toEvent) };
  }

  private async insertEvents(ticketId: number, events: readonly NewTicketEvent[], transaction: Transaction): Promise<TicketEvent[]> {
    const stored: TicketEvent[] = [];
    for (const e of events) {
      const eventRow = await this.m.events.create({ ...e, ticketId, data: JSON.stringify(e.data) }, { transaction });
      stored.push(toEvent(eventRow));
    }
    return stored;
  }

  /** The day's counter row exists before the transaction, so the transaction only locks that row (no gap locks). */
  private async ensureSequenceRow(day: string): Promise<void> {
    if ((await this.m.sequences.count({ where: { day } })) > 0) return;
    try {
      await this.m.sequences.create({ day, lastValue: 0 });
    } catch (err) {
      if (!(err instanceof UniqueConstraintError)) throw err; // another process created it first
    }
  }
}

function factEvent(e: TicketEvent): FactEvent {
  // The text insertEvents stored (JSON.stringify keeps the key order JSON.parse gave back).
  return { id: e.id, type: e.type, at: e.at, unitId: e.unitId, data: JSON.stringify(e.data) };
}

const CREATED_ORDER: Order = [
  ['createdAt', 'DESC'],
  ['id', 'DESC'],
];

/**
 * The current step's deadline (ticket-lights.ts `currentStep`) as SQL, NULL when no step runs.
 * Column names are fixed here (no input reaches the literal).
 */
const CURRENT_DEADLINE = "CASE WHEN state = 'dispatched' THEN sign_by WHEN state IN ('signed', 'in-progress') THEN reply_by ELSE NULL END";

/**
 * Soonest current deadline first; orders without one last (MySQL has no NULLS LAST, so the
 * IS NULL flag sorts first); ties by id ascending so pages never overlap.
 */
const DEADLINE_ORDER: Order = [
  [literal(`(${CURRENT_DEADLINE}) IS NULL`), 'ASC'],
  [literal(CURRENT_DEADLINE), 'ASC'],
  ['id', 'ASC'],
];

/**
 * The current step's deadline in `range`: sign_by while dispatched, reply_by while signed or in
 * progress. Each branch is a range on (state, sign_by) / (state, reply_by), both indexed (0006).
 */
function deadlineWhere(range: DeadlineRange): WhereOptions<TicketRow> {
  const bounds: Record<symbol, Date | null> = { [Op.ne]: null };
  if (range.before !== undefined) bounds[Op.lt] = range.before;
  if (range.notBefore !== undefined) bounds[Op.gte] = range.notBefore;
  if (range.notAfter !== undefined) bounds[Op.lte] = range.notAfter;
  if (range.after !== undefined) bounds[Op.gt] = range.after;
  return {
    [Op.or]: [
      { state: 'dispatched', signBy: bounds },
      { state: { [Op.in]: ['signed', 'in-progress'] }, replyBy: bounds },
    ],
  };
}
