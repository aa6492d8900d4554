import { randomUUID } from 'node:crypto';
import { Op, UniqueConstraintError, type Sequelize, type Transaction, type WhereOptions } from 'sequelize';
import type {
  CallDirection,
  CallRecord,
  CallRecordPage,
  CallRecordPatch,
  CallRecordRepository,
  HungUpBy,
  NewCallRecord,
} from '../metrics/call-records.js';
import { AppError, NotFoundError, ValidationError, toAppError } from '../shared/app-error.js';
import { CALL_COLUMN_LIMITS, defineCallModel, type CallModel, type CallRow } from './call.model.js';
import { bulkInsertRows, bulkUpdateRows, storedValues } from './bulk-rows.js';
import { CallRecordKeys } from './call-record-keys.js';

/** The end reason of a call its process died during (closed at the next start). */
export const CRASHED_END_REASON = 'crashed';

/**
 * CallRecordRepository on the `calls` table; returns plain objects, never model instances.
 * The `apply*` methods are idempotent (keyed by a record key) so the record spool can replay them.
 */
export class SequelizeCallRecordRepository implements CallRecordRepository {
  private readonly calls: CallModel;
  private readonly keys = new CallRecordKeys();

  constructor(
    sequelize: Sequelize,
    private readonly nodeId: string | null = null,
  ) {
    this.calls = defineCallModel(sequelize);
  }

  async create(record: NewCallRecord): Promise<void> {
    const key = randomUUID();
    this.keys.remember(record.callId, key);
    await this.applyCreate(key, record, this.nodeId);
  }

  async update(callId: string, patch: CallRecordPatch): Promise<void> {
    await this.applyUpdate(this.keys.keyOf(callId), callId, patch);
  }

  /**
   * Stores a new call under `key` unless a row with that key exists (a replayed write). Over-long
   * values are cut and flagged; a Call-ID already stored gets the suffix `#<key>` (RFC 3261 §8.1.1.4
   * wants Call-IDs unique, but a careless or hostile UA may reuse one: its call must still be recorded).
   */
  async applyCreate(key: string, record: NewCallRecord, nodeId: string | null): Promise<void> {
    const { row, suffixed } = newRow(key, record, nodeId);
    try {
      try {
        await this.calls.create(row);
      } catch (err) {
        if (!(err instanceof UniqueConstraintError)) throw err;
        if (await this.hasKey(key)) return;
        await this.calls.create({ ...row, callId: suffixed });
      }
    } catch (err) {
      if (err instanceof UniqueConstraintError && (await this.hasKey(key))) return;
      throw toAppError(err, 'DATABASE_ERROR', `storing call ${row.callId} failed`);
    }
  }

  /**
   * applyCreate for many calls in `transaction`, in order, with one multi-row INSERT: keys already
   * stored are skipped (a replay), a Call-ID already stored or taken earlier in the list gets the
   * `#<key>` suffix, exactly as one applyCreate after another would do. A clash this cannot see (a
   * row another process inserts meanwhile, or MySQL's PAD SPACE comparison) fails the whole INSERT:
   * the record spool then applies the list one op at a time.
   */
  async applyCreates(creates: readonly CallCreate[], transaction: Transaction): Promise<void> {
    const rows = new Map<string, ReturnType<typeof newRow>>();
    for (const c of creates) if (!rows.has(c.key)) rows.set(c.key, newRow(c.key, c.record, c.nodeId));
    if (rows.size === 0) return;
    try {
      for (const key of await storedValues(this.calls, 'recordKey', [...rows.keys()], transaction)) rows.delete(key);
      if (rows.size === 0) return;
      const taken = await storedValues(this.calls, 'callId', [...rows.values()].map((r) => r.row.callId), transaction);
      const now = new Date();
      const fresh = [...rows.values()].map(({ row, suffixed }) => {
        const callId = taken.has(row.callId) ? suffixed : row.callId;
        taken.add(callId);
        return { ...row, callId, createdAt: now, updatedAt: now };
      });
      await bulkInsertRows(this.calls, fresh, transaction);
    } catch (err) {
      throw toAppError(err, 'DATABASE_ERROR', `storing ${rows.size} call records failed`);
    }
  }

  /** Updates the call stored under `key` (or, without a key, the row stored under `callId`). */
  async applyUpdate(key: string | undefined, callId: string, patch: CallRecordPatch, transaction?: Transaction): Promise<void> {
    const columns = patchColumns(patch);
    const where = key === undefined ? { callId } : { recordKey: key };
    try {
      await this.updateWhere(where, callId, columns, transaction);
    } catch (err) {
      throw toAppError(err, 'DATABASE_ERROR', `updating call ${callId} failed`);
    }
  }

  /**
   * applyUpdate by record key for many updates in `transaction`: the updates of one call are merged
   * (later fields win, a cut in any of them flags the call), as applying them one after another would
   * leave the row, and every call is updated by ONE statement (bulkUpdateRows). The calls must exist:
   * their creates are applied before; a missing one fails the whole list (NotFoundError).
   */
  async applyUpdates(updates: readonly CallUpdate[], transaction: Transaction): Promise<void> {
    const merged = new Map<string, { callId: string; columns: PatchColumns }>();
    for (const u of updates) {
      const columns = patchColumns(u.patch);
      const before = merged.get(u.key);
      merged.set(
        u.key,
        before === undefined
          ? { callId: u.callId, columns }
          : { callId: u.callId, columns: { values: { ...before.columns.values, ...columns.values }, truncated: before.columns.truncated || columns.truncated } },
      );
    }
    const rows = [...merged].map(([key, { columns }]) => ({ key, values: columns.truncated ? { ...columns.values, truncated: true } : columns.values }));
    try {
      const changed = await bulkUpdateRows(this.calls, 'recordKey', rows, { updatedAt: new Date() }, transaction);
      // MySQL counts changed rows, not matched ones: fewer may still mean "all exist".
      if (changed >= rows.length) return;
      const stored = await storedValues(this.calls, 'recordKey', [...merged.keys()], transaction);
      const missing = [...merged].find(([key]) => !stored.has(key));
      if (missing !== undefined) throw new NotFoundError(`call ${missing[1].callId} not found`);
    } catch (err) {
      throw toAppError(err, 'DATABASE_ERROR', `updating ${rows.length} call records failed`);
    }
  }

  private async updateWhere(where: WhereOptions<CallRow>, callId: string, columns: PatchColumns, transaction: Transaction | undefined): Promise<void> {
    const values = columns.truncated ? { ...columns.values, truncated: true } : columns.values;
    // MySQL counts changed rows, not matched ones, so 0 may still mean "exists": ask again before refusing.
    const [affected] = await this.calls.update(values, { where, transaction });
    if (affected > 0) return;
    const exists = (await this.calls.count({ where, transaction })) > 0;
    if (!exists) throw new NotFoundError(`call ${callId} not found`);
  }

  /**
   * Closes the calls `nodeId`'s previous run left open (started before `before`, the start of this
   * run): endReason `crashed`, hungUpBy `system`, endedAt `endedAt` (never before the call started).
   * Returns how many were closed. Idempotent: a closed call is not touched again.
   */
  async closeCrashed(nodeId: string, before: Date, endedAt: Date, transaction?: Transaction): Promise<number> {
    const closed = { endReason: CRASHED_END_REASON, hungUpBy: 'system' } as const;
    const open = { nodeId, endedAt: { [Op.is]: null } };
    try {
      const [count] = await this.calls.update({ ...closed, endedAt }, { where: { ...open, startedAt: { [Op.lt]: before, [Op.lte]: endedAt } }, transaction });
      // Calls that started after the last sign of life of the previous run end when they started.
      const late = await this.calls.findAll({ where: { ...open, startedAt: { [Op.lt]: before, [Op.gt]: endedAt } }, transaction });
      for (const row of late) await row.update({ ...closed, endedAt: asDate(row.startedAt) }, { transaction });
      return count + late.length;
    } catch (err) {
      throw toAppError(err, 'DATABASE_ERROR', 'closing the calls of the previous run failed');
    }
  }

  async get(callId: string): Promise<CallRecord | undefined> {
    try {
      const row = await this.calls.findByPk(callId);
      return row === null ? undefined : toRecord(row);
    } catch (err) {
      throw toAppError(err, 'DATABASE_ERROR', `reading call ${callId} failed`);
    }
  }

  async list(page: { limit: number; offset: number }): Promise<CallRecordPage> {
    if (!Number.isInteger(page.limit) || page.limit < 0 || !Number.isInteger(page.offset) || page.offset < 0) {
      throw new ValidationError('limit and offset must be whole numbers ≥ 0', [
        { path: 'limit', message: 'must be a whole number ≥ 0' },
        { path: 'offset', message: 'must be a whole number ≥ 0' },
      ]);
    }
    try {
      const { rows, count } = await this.calls.findAndCountAll({
        order: [
          ['startedAt', 'DESC'],
          ['callId', 'ASC'],
        ],
        limit: page.limit,
        offset: page.offset,
      });
      return { items: rows.map(toRecord), total: count };
    } catch (err) {
      throw toAppError(err, 'DATABASE_ERROR', 'listing calls failed');
    }
  }

  private async hasKey(key: string): Promise<boolean> {
    return (await this.calls.count({ where: { recordKey: key } })) > 0;
  }
}

type InferredValues = Pick<
  CallRow,
  | 'answeredAt'
  | 'endedAt'
  | 'endReason'
  | 'hungUpBy'
  | 'digits'
  | 'ivrPath'
  | 'queue'
  | 'queuedAt'
  | 'agentId'
  | 'agentExtension'
  | 'agentAnsweredAt'
  | 'recordingPath'
  | 'truncated'
  | 'ivrFlow'
  | 'ivrOutcome'
  | 'ivrSelfServed'
  | 'ivrSpoken'
>;

/** A create the record spool applies (record-ops.ts). */
export interface CallCreate {
  readonly key: string;
  readonly record: NewCallRecord;
  readonly nodeId: string | null;
}

/** An update by record key the record spool applies (record-ops.ts). */
export interface CallUpdate {
  readonly key: string;
  readonly callId: string;
  readonly patch: CallRecordPatch;
}

interface PatchColumns {
  readonly values: Partial<InferredValues>;
  /** A value was cut to its column. */
  readonly truncated: boolean;
}

/**
 * The row of a new call, over-long values cut and flagged; `suffixed` is the Call-ID it is stored
 * under when the plain one is taken (RFC 3261 §8.1.1.4 wants Call-IDs unique, but a careless or
 * hostile UA may reuse one: its call must still be recorded).
 */
function newRow(key: string, record: NewCallRecord, nodeId: string | null) {
  checkDate('startedAt', record.startedAt);
  const callId = cut(record.callId, CALL_COLUMN_LIMITS.callId);
  const from = cut(record.from, CALL_COLUMN_LIMITS.from);
  const to = cut(record.to, CALL_COLUMN_LIMITS.to);
  const suffix = `#${key}`;
  return {
    row: {
      callId: callId.value,
      direction: record.direction,
      fromNumber: from.value,
      toNumber: to.value,
      startedAt: record.startedAt,
      recordKey: key,
      nodeId,
      truncated: callId.cut || from.cut || to.cut,
    },
    suffixed: `${cut(record.callId, CALL_COLUMN_LIMITS.callId - suffix.length).value}${suffix}`,
  };
}

/** The columns a patch sets, over-long values cut to their column (and flagged); refuses invalid dates. */
function patchColumns(patch: CallRecordPatch): PatchColumns {
  if (patch.answeredAt) checkDate('answeredAt', patch.answeredAt);
  if (patch.endedAt) checkDate('endedAt', patch.endedAt);
  const values: Partial<InferredValues> = {};
  let truncated = false;
  const text = (value: string, max: number): string => {
    const c = cut(value, max);
    truncated ||= c.cut;
    return c.value;
  };
  const nullableText = (value: string | null, max: number): string | null => (value === null ? null : text(value, max));
  if (patch.answeredAt !== undefined) values.answeredAt = patch.answeredAt;
  if (patch.endedAt !== undefined) values.endedAt = patch.endedAt;
  if (patch.endReason !== undefined) values.endReason = nullableText(patch.endReason, CALL_COLUMN_LIMITS.endReason);
  if (patch.hungUpBy !== undefined) values.hungUpBy = patch.hungUpBy;
  if (patch.digits !== undefined) values.digits = text(patch.digits, CALL_COLUMN_LIMITS.digits);
  if (patch.ivrPath !== undefined) values.ivrPath = text(patch.ivrPath, CALL_COLUMN_LIMITS.ivrPath);
  if (patch.queue !== undefined) values.queue = nullableText(patch.queue, CALL_COLUMN_LIMITS.queue);
  if (patch.queuedAt !== undefined) values.queuedAt = patch.queuedAt;
  if (patch.agentId !== undefined) values.agentId = patch.agentId;
  if (patch.agentExtension !== undefined) values.agentExtension = nullableText(patch.agentExtension, CALL_COLUMN_LIMITS.agentExtension);
  if (patch.agentAnsweredAt !== undefined) values.agentAnsweredAt = patch.agentAnsweredAt;
  if (patch.recordingPath !== undefined) values.recordingPath = nullableText(patch.recordingPath, CALL_COLUMN_LIMITS.recordingPath);
  if (patch.ivrFlow !== undefined) values.ivrFlow = nullableText(patch.ivrFlow, CALL_COLUMN_LIMITS.ivrFlow);
  if (patch.ivrOutcome !== undefined) values.ivrOutcome = nullableText(patch.ivrOutcome, CALL_COLUMN_LIMITS.ivrOutcome);
  if (patch.ivrSelfServed !== undefined) values.ivrSelfServed = patch.ivrSelfServed;
  if (patch.ivrSpoken !== undefined) values.ivrSpoken = nullableText(patch.ivrSpoken, CALL_COLUMN_LIMITS.ivrSpoken);
  return { values, truncated };
}

function toRecord(row: CallRow): CallRecord {
  const r = row.get({ plain: true });
  return {
    callId: r.callId,
    direction: asDirection(r.direction),
    from: r.fromNumber,
    to: r.toNumber,
    startedAt: asDate(r.startedAt),
    answeredAt: r.answeredAt === null ? null : asDate(r.answeredAt),
    endedAt: r.endedAt === null ? null : asDate(r.endedAt),
    endReason: r.endReason,
    hungUpBy: asHungUpBy(r.hungUpBy),
    digits: r.digits,
    ivrPath: r.ivrPath,
    queue: r.queue,
    queuedAt: r.queuedAt === null ? null : asDate(r.queuedAt),
    agentId: r.agentId,
    agentExtension: r.agentExtension,
    agentAnsweredAt: r.agentAnsweredAt === null ? null : asDate(r.agentAnsweredAt),
    recordingPath: r.recordingPath,
    recordingExpiredAt: r.recordingExpiredAt === null ? null : asDate(r.recordingExpiredAt),
    // SQLite and MySQL both hand back 0/1 for a BOOLEAN read through a plain query.
    truncated: Boolean(r.truncated),
    ivrFlow: r.ivrFlow,
    ivrOutcome: r.ivrOutcome,
    ivrSelfServed: Boolean(r.ivrSelfServed),
    ivrSpoken: r.ivrSpoken,
  };
}

/** The first `max` characters of `value` (whole code points: a cut never splits a surrogate pair). */
function cut(value: string, max: number): { value: string; cut: boolean } {
  if (value.length <= max) return { value, cut: false };
  let end = max;
  const last = value.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return { value: value.slice(0, end), cut: true };
}

function asDate(value: Date | string): Date {
  return value instanceof Date ? value : new Date(value);
}

function asDirection(value: string): CallDirection {
  if (value === 'inbound' || value === 'outbound') return value;
  throw new AppError('DATA_CORRUPT', `stored call has an unknown direction "${value}"`);
}

function asHungUpBy(value: string | null): HungUpBy | null {
  if (value === null || value === 'caller' || value === 'callee' || value === 'system') return value;
  throw new AppError('DATA_CORRUPT', `stored call has an unknown hungUpBy "${value}"`);
}

function checkDate(path: string, value: Date): void {
  if (Number.isNaN(value.getTime())) throw new ValidationError(`call record: ${path} is not a valid date`, [{ path, message: 'not a valid date' }]);
}
