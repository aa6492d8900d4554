import { Op, UniqueConstraintError, type Sequelize, type Transaction, type WhereOptions } from 'sequelize';
import {
  CALLBACK_STATUSES,
  QUEUE_EVENT_TYPES,
  type AcdRecordRepository,
  type AgentStateRecord,
  type CallbackRequest,
  type CallbackStatus,
  type NewCallbackRequest,
  type Period,
  type QueueEvent,
  type QueueEventType,
} from '../acd/acd-record-repository.js';
import { AgentState } from '../acd/agent.js';
import { AppError, NotFoundError, ValidationError, toAppError } from '../shared/app-error.js';
import { bulkInsertRows, storedValues } from './bulk-rows.js';
import { defineAgentEventModel, type AgentEventModel, type AgentEventRow } from './agent-event.model.js';
import { defineCallbackRequestModel, type CallbackRequestModel, type CallbackRequestRow } from './callback-request.model.js';
import { defineQueueEventModel, type QueueEventModel, type QueueEventRow } from './queue-event.model.js';
import { normalisePhoneNumber } from '../shared/phone-number.js';
import { PAIRED_EVENTS } from '../metrics/queue-facts.js';
import { ReportAggregates } from './report-aggregates.js';
import { ticketTransaction } from './ticket-transaction.js';

/** Column limits shared with migrations/0003-create-acd-records.ts, checked so both dialects refuse alike. */
export const ACD_COLUMN_LIMITS = { callId: 255, queue: 64, agentId: 64, extension: 64, reason: 64, callerNumber: 255, handledBy: 64 } as const;

const MAX_MS = 2_147_483_647;
const AGENT_STATES: readonly AgentState[] = Object.values(AgentState);

/** AcdRecordRepository on queue_events, agent_state_events and callback_requests; returns plain objects. */
export class SequelizeAcdRecordRepository implements AcdRecordRepository {
  private readonly queueEvents: QueueEventModel;
  private readonly agentEvents: AgentEventModel;
  private readonly callbacks: CallbackRequestModel;
  private readonly aggregates: ReportAggregates;

  /**
   * Every queue event written also brings report_queue_days up to date in its transaction
   * (metrics/queue-facts.ts); `timeZone` is the centre's (config TZ), whose local days it counts.
   */
  constructor(
    private readonly sequelize: Sequelize,
    options: { readonly timeZone?: string } = {},
  ) {
    this.aggregates = new ReportAggregates(sequelize, options.timeZone);
    this.queueEvents = defineQueueEventModel(sequelize);
    this.agentEvents = defineAgentEventModel(sequelize);
    this.callbacks = defineCallbackRequestModel(sequelize);
  }

  async addQueueEvent(e: QueueEvent): Promise<void> {
    check('queue event', { callId: e.callId, queue: e.queue, agentId: e.agentId, extension: e.extension }, { at: e.at }, { waitMs: e.waitMs, talkMs: e.talkMs });
    if (!QUEUE_EVENT_TYPES.includes(e.event)) throw new ValidationError(`queue event: unknown event "${e.event}"`, [{ path: 'event', message: 'unknown event' }]);
    const row = { callId: e.callId, queue: e.queue, event: e.event, agentId: e.agentId, extension: e.extension, waitMs: e.waitMs, talkMs: e.talkMs, at: e.at };
    await guard(`storing queue event ${e.event} of call ${e.callId}`, () =>
      ticketTransaction(this.sequelize, async (transaction) => {
        await this.insertCounted([row], transaction, () => this.queueEvents.create(row, { transaction }));
      }),
    );
  }

  async addAgentStateEvent(e: AgentStateRecord): Promise<void> {
    check('agent state event', { agentId: e.agentId, extension: e.extension, reason: e.reason }, { at: e.at }, {});
    await guard(`storing a state change of agent ${e.agentId}`, () =>
      this.agentEvents.create({ agentId: e.agentId, extension: e.extension, fromState: e.fromState, toState: e.toState, reason: e.reason, at: e.at }),
    );
  }

  /**
   * Stores a queue event under `key` once (the record spool replays writes): a second write with the
   * same key is a no-op. Over-long strings are cut to their column, so a hostile Call-ID loses no event.
   */
  async addQueueEventOnce(key: string, e: QueueEvent): Promise<void> {
    const row = queueEventRow(key, e);
    await guard(`storing queue event ${e.event} of call ${row.callId}`, () =>
      once(
        () =>
          ticketTransaction(this.sequelize, async (transaction) => {
            if ((await this.queueEvents.count({ where: { recordKey: key }, transaction })) > 0) return;
            await this.insertCounted([row], transaction, () => this.queueEvents.create(row, { transaction }));
          }),
        async () => (await this.queueEvents.count({ where: { recordKey: key } })) > 0,
      ),
    );
  }

  /** Stores an agent state change under `key` once (see addQueueEventOnce). */
  async addAgentStateEventOnce(key: string, e: AgentStateRecord): Promise<void> {
    const row = agentEventRow(key, e);
    await guard(`storing a state change of agent ${row.agentId}`, () => once(() => this.agentEvents.create(row), async () => (await this.agentEvents.count({ where: { recordKey: key } })) > 0));
  }

  /**
   * addQueueEventOnce for many events in `transaction` with one multi-row INSERT: keys already stored
   * (a replay) or repeated in the list are skipped, so each key gives one row.
   */
  async addQueueEventsOnce(events: readonly KeyedEvent<QueueEvent>[], transaction: Transaction): Promise<void> {
    const rows = new Map(events.map(({ key, event }) => [key, queueEventRow(key, event)] as const));
    await guard(`storing ${rows.size} queue events`, async () => {
      const fresh = withoutStored(rows, await storedValues(this.queueEvents, 'recordKey', [...rows.keys()], transaction));
      await this.insertCounted(fresh, transaction, () => bulkInsertRows(this.queueEvents, fresh, transaction));
    });
  }

  /**
   * Inserts queue event rows with `insert` and adds what they count to the report aggregates, in
   * `transaction`. The rows an `answered` or `wrap-up-ended` row pairs with (AHT) are looked up first.
   */
  private async insertCounted(rows: readonly QueueEvent[], transaction: Transaction, insert: () => Promise<unknown>): Promise<void> {
    if (rows.length === 0) return;
    const paired = rows.filter((r) => (PAIRED_EVENTS as readonly string[]).includes(r.event)).map((r) => r.callId);
    const stored = paired.length === 0 ? [] : await this.aggregates.storedPartners(paired, transaction);
    await insert();
    await this.aggregates.addQueueEvents(rows, stored, transaction);
  }

  /** addAgentStateEventOnce for many changes in `transaction` (see addQueueEventsOnce). */
  async addAgentStateEventsOnce(events: readonly KeyedEvent<AgentStateRecord>[], transaction: Transaction): Promise<void> {
    const rows = new Map(events.map(({ key, event }) => [key, agentEventRow(key, event)] as const));
    await guard(`storing ${rows.size} agent state changes`, async () => {
      await bulkInsertRows(this.agentEvents, withoutStored(rows, await storedValues(this.agentEvents, 'recordKey', [...rows.keys()], transaction)), transaction);
    });
  }

  async listQueueEvents(period: Period, queue?: string): Promise<QueueEvent[]> {
    check('period', {}, { from: period.from, to: period.to }, {});
    const where: WhereOptions<QueueEventRow> = { at: { [Op.gte]: period.from, [Op.lt]: period.to }, ...(queue === undefined ? {} : { queue }) };
    const rows = await guard('listing queue events', () => this.queueEvents.findAll({ where, order: [['at', 'ASC'], ['id', 'ASC']] }));
    return rows.map(toQueueEvent);
  }

  async listAgentStateEvents(period: Period, agentId?: string): Promise<AgentStateRecord[]> {
    check('period', {}, { from: period.from, to: period.to }, {});
    const where: WhereOptions<AgentEventRow> = { at: { [Op.gte]: period.from, [Op.lt]: period.to }, ...(agentId === undefined ? {} : { agentId }) };
    const rows = await guard('listing agent state events', () => this.agentEvents.findAll({ where, order: [['at', 'ASC'], ['id', 'ASC']] }));
    return rows.map(toAgentStateRecord);
  }

  async createCallbackRequest(r: NewCallbackRequest): Promise<CallbackRequest> {
    check('callback request', { callId: r.callId, queue: r.queue, callerNumber: r.callerNumber }, { requestedAt: r.requestedAt }, {});
    const row = await guard(`storing the callback request of call ${r.callId}`, () =>
      // Stored in the one comparable form (shared/phone-number.ts), as work orders store residents' numbers.
      this.callbacks.create({ callId: r.callId, queue: r.queue, callerNumber: normalisePhoneNumber(r.callerNumber), requestedAt: r.requestedAt }),
    );
    return toCallbackRequest(row);
  }

  async listOpenCallbackRequests(limit = 100): Promise<CallbackRequest[]> {
    if (!Number.isInteger(limit) || limit < 0) throw new ValidationError('limit must be a whole number ≥ 0', [{ path: 'limit', message: 'must be a whole number ≥ 0' }]);
    const rows = await guard('listing open callback requests', () =>
      this.callbacks.findAll({ where: { status: 'open' }, order: [['requestedAt', 'ASC'], ['id', 'ASC']], limit }),
    );
    return rows.map(toCallbackRequest);
  }

  async setCallbackStatus(id: number, status: CallbackStatus, handledBy?: string | null): Promise<void> {
    if (!CALLBACK_STATUSES.includes(status)) throw new ValidationError(`callback request: unknown status "${status}"`, [{ path: 'status', message: 'unknown status' }]);
    check('callback request', { handledBy }, {}, {});
    const values = handledBy === undefined ? { status } : { status, handledBy };
    await guard(`updating callback request ${id}`, async () => {
      // MySQL counts changed rows, not matched ones: 0 may still mean "exists".
      const [affected] = await this.callbacks.update(values, { where: { id } });
      if (affected === 0 && (await this.callbacks.count({ where: { id } })) === 0) throw new NotFoundError(`callback request ${id} not found`);
    });
  }
}

/** A queue event or agent state change with the record key it is stored under once. */
export interface KeyedEvent<E> {
  readonly key: string;
  readonly event: E;
}

/** Over-long strings cut to their column, so a hostile Call-ID loses no event; bad values refused. */
function queueEventRow(key: string, e: QueueEvent) {
  check('queue event', {}, { at: e.at }, { waitMs: e.waitMs, talkMs: e.talkMs });
  if (!QUEUE_EVENT_TYPES.includes(e.event)) throw new ValidationError(`queue event: unknown event "${e.event}"`, [{ path: 'event', message: 'unknown event' }]);
  return { ...e, callId: fit(e.callId, 'callId'), queue: fit(e.queue, 'queue'), agentId: fitOrNull(e.agentId, 'agentId'), extension: fitOrNull(e.extension, 'extension'), recordKey: key };
}

function agentEventRow(key: string, e: AgentStateRecord) {
  check('agent state event', {}, { at: e.at }, {});
  return { ...e, agentId: fit(e.agentId, 'agentId'), extension: fit(e.extension, 'extension'), reason: fitOrNull(e.reason, 'reason'), recordKey: key };
}

/** The rows (by record key) whose key is not among the `stored` ones. */
function withoutStored<R>(rows: ReadonlyMap<string, R>, stored: ReadonlySet<string>): R[] {
  return [...rows].filter(([key]) => !stored.has(key)).map(([, row]) => row);
}

/** Runs `insert`; a unique-key clash with a row already `stored` under the same key is a replay, not an error. */
async function once(insert: () => Promise<unknown>, stored: () => Promise<boolean>): Promise<void> {
  try {
    await insert();
  } catch (err) {
    if (err instanceof UniqueConstraintError && (await stored())) return;
    throw err;
  }
}

function fit(value: string, column: keyof typeof ACD_COLUMN_LIMITS): string {
  return value.slice(0, ACD_COLUMN_LIMITS[column]);
}

function fitOrNull(value: string | null, column: keyof typeof ACD_COLUMN_LIMITS): string | null {
  return value === null ? null : fit(value, column);
}

async function guard<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw toAppError(err, 'DATABASE_ERROR', `${what} failed`);
  }
}

/** Refuses over-long strings, invalid dates and out-of-range durations the same way on every dialect. */
function check(
  what: string,
  strings: Partial<Record<keyof typeof ACD_COLUMN_LIMITS, string | null | undefined>>,
  dates: Record<string, Date>,
  durations: Record<string, number | null>,
): void {
  const issues: { path: string; message: string }[] = [];
  for (const [key, value] of Object.entries(strings)) {
    const max = ACD_COLUMN_LIMITS[key as keyof typeof ACD_COLUMN_LIMITS];
    if (typeof value === 'string' && value.length > max) issues.push({ path: key, message: `longer than ${max} characters` });
  }
  for (const [key, value] of Object.entries(dates)) if (Number.isNaN(value.getTime())) issues.push({ path: key, message: 'not a valid date' });
  for (const [key, value] of Object.entries(durations)) {
    if (value !== null && (!Number.isInteger(value) || value < 0 || value > MAX_MS)) issues.push({ path: key, message: `must be whole milliseconds 0-${MAX_MS}` });
  }
  if (issues.length > 0) throw new ValidationError(`${what}: ${issues.map((i) => `${i.path} ${i.message}`).join(', ')}`, issues);
}

function toQueueEvent(row: QueueEventRow): QueueEvent {
  const r = row.get({ plain: true });
  return {
    callId: r.callId,
    queue: r.queue,
    event: oneOf<QueueEventType>(QUEUE_EVENT_TYPES, r.event, 'queue event'),
    agentId: r.agentId,
    extension: r.extension,
    waitMs: r.waitMs,
    talkMs: r.talkMs,
    at: asDate(r.at),
  };
}

function toAgentStateRecord(row: AgentEventRow): AgentStateRecord {
  const r = row.get({ plain: true });
  return {
    agentId: r.agentId,
    extension: r.extension,
    fromState: oneOf(AGENT_STATES, r.fromState, 'agent state'),
    toState: oneOf(AGENT_STATES, r.toState, 'agent state'),
    reason: r.reason,
    at: asDate(r.at),
  };
}

function toCallbackRequest(row: CallbackRequestRow): CallbackRequest {
  const r = row.get({ plain: true });
  return {
    id: r.id,
    callId: r.callId,
    queue: r.queue,
    callerNumber: r.callerNumber,
    requestedAt: asDate(r.requestedAt),
    status: oneOf<CallbackStatus>(CALLBACK_STATUSES, r.status, 'callback status'),
    handledBy: r.handledBy ?? null,
  };
}

function oneOf<T extends string>(allowed: readonly T[], value: string, what: string): T {
  const found = allowed.find((a) => a === value);
  if (found === undefined) throw new AppError('DATA_CORRUPT', `stored ${what} "${value}" is unknown`);
  return found;
}

function asDate(value: Date | string): Date {
  return value instanceof Date ? value : new Date(value);
}
