import { QueryTypes, UniqueConstraintError, type Sequelize, type WhereOptions } from 'sequelize';
import { AppError, toAppError } from '../shared/app-error.js';
import { formatTicketCode } from '../tickets/ticket-code.js';
import {
  CHANNELS,
  REQUEST_TYPES,
  URGENCIES,
  type Channel,
  type NewTicketEvent,
  type RequestType,
  type Ticket,
  type TicketDraft,
  type TicketEvent,
  type TicketEventType,
  type TicketFilter,
  type TicketPage,
  type TicketRepository,
  type TicketState,
  type TicketWithEvents,
  type Urgency,
} from '../tickets/ticket.js';
import { defineTicketModels, type TicketEventRow, type TicketModels, type TicketRow } from './ticket.model.js';
import { ticketTransaction } from './ticket-transaction.js';

/** TicketRepository on `tickets`, `ticket_events` and `ticket_sequences`; returns plain objects. */
export class SequelizeTicketRepository implements TicketRepository {
  private readonly m: TicketModels;

  constructor(private readonly sequelize: Sequelize) {
    this.m = defineTicketModels(sequelize);
  }

  async create(day: string, draft: TicketDraft, events: readonly NewTicketEvent[]): Promise<TicketWithEvents> {
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
        const stored: TicketEvent[] = [];
        for (const e of events) {
          const eventRow = await this.m.events.create({ ...e, ticketId: row.id, data: JSON.stringify(e.data) }, { transaction });
          stored.push(toEvent(eventRow));
        }
        return { ...toTicket(row), events: stored };
      });
    } catch (err) {
      throw toAppError(err, 'DATABASE_ERROR', 'storing the ticket failed');
    }
  }

  async findByCode(code: string): Promise<TicketWithEvents | undefined> {
    try {
      const row = await this.m.tickets.findOne({ where: { code } });
      if (row === null) return undefined;
      const events = await this.m.events.findAll({ where: { ticketId: row.id }, order: [['id', 'ASC']] });
      return { ...toTicket(row), events: events.map(toEvent) };
    } catch (err) {
      throw toAppError(err, 'DATABASE_ERROR', `reading ticket ${code} failed`);
    }
  }

  async list(filter: TicketFilter, page: { limit: number; offset: number }): Promise<TicketPage> {
    const where: WhereOptions<TicketRow> = {};
    if (filter.phone !== undefined) where.residentPhone = filter.phone;
    if (filter.currentUnitId !== undefined) where.currentUnitId = filter.currentUnitId;
    try {
      const { rows, count } = await this.m.tickets.findAndCountAll({
        where,
        order: [
          ['createdAt', 'DESC'],
          ['id', 'DESC'],
        ],
        limit: page.limit,
        offset: page.offset,
      });
      return { items: rows.map(toTicket), total: count };
    } catch (err) {
      throw toAppError(err, 'DATABASE_ERROR', 'listing tickets failed');
    }
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

function toTicket(row: TicketRow): Ticket {
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
    urgency: oneOf(Object.keys(URGENCIES) as Urgency[], r.urgency, 'urgency'),
    answeredOnCall: r.answeredOnCall,
    callId: r.callId,
    handlingUnitId: r.handlingUnitId,
    currentUnitId: r.currentUnitId,
    state: oneOf<TicketState>(['created', 'dispatched', 'closed'], r.state, 'state'),
    signBy: asDateOrNull(r.signBy),
    replyBy: asDateOrNull(r.replyBy),
    closedAt: asDateOrNull(r.closedAt),
    version: r.version,
    createdBy: r.createdBy,
    createdAt: asDate(r.createdAt),
    updatedAt: asDate(r.updatedAt),
  };
}

function toEvent(row: TicketEventRow): TicketEvent {
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
    type: oneOf<TicketEventType>(['created', 'dispatched', 'closed'], r.type, 'event type'),
    actorUserId: r.actorUserId,
    actorRole: r.actorRole,
    channel: oneOf<Channel>(CHANNELS, r.channel, 'channel'),
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
