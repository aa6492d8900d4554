import { randomUUID } from 'node:crypto';
import { Op, UniqueConstraintError, type Sequelize } from 'sequelize';
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
    checkDate('startedAt', record.startedAt);
    const callId = cut(record.callId, CALL_COLUMN_LIMITS.callId);
    const from = cut(record.from, CALL_COLUMN_LIMITS.from);
    const to = cut(record.to, CALL_COLUMN_LIMITS.to);
    const row = {
      callId: callId.value,
      direction: record.direction,
      fromNumber: from.value,
      toNumber: to.value,
      startedAt: record.startedAt,
      recordKey: key,
      nodeId,
      truncated: callId.cut || from.cut || to.cut,
    };
    try {
      try {
        await this.calls.create(row);
      } catch (err) {
        if (!(err instanceof UniqueConstraintError)) throw err;
        if (await this.hasKey(key)) return;
        const suffix = `#${key}`;
        await this.calls.create({ ...row, callId: `${cut(record.callId, CALL_COLUMN_LIMITS.callId - suffix.length).value}${suffix}` });
      }
    } catch (err) {
      if (err instanceof UniqueConstraintError && (await this.hasKey(key))) return;
      throw toAppError(err, 'DATABASE_ERROR', `storing call ${callId.value} failed`);
    }
  }

  /** Updates the call stored under `key` (or, without a key, the row stored under `callId`). */
  async applyUpdate(key: string | undefined, callId: string, patch: CallRecordPatch): Promise<void> {
    if (patch.answeredAt) checkDate('answeredAt', patch.answeredAt);
    if (patch.endedAt) checkDate('endedAt', patch.endedAt);
    const values: Partial<InferredValues> = {};
    const flags = { truncated: false };
    const text = (value: string, max: number): string => {
      const c = cut(value, max);
      flags.truncated ||= c.cut;
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
    if (flags.truncated) values.truncated = true;
    const where = key === undefined ? { callId } : { recordKey: key };
    try {
      // MySQL counts changed rows, not matched ones, so 0 may still mean "exists": ask again before refusing.
      const [affected] = await this.calls.update(values, { where });
      if (affected > 0) return;
      const exists = (await this.calls.count({ where })) > 0;
      if (!exists) throw new NotFoundError(`call ${callId} not found`);
    } catch (err) {
      throw toAppError(err, 'DATABASE_ERROR', `updating call ${callId} failed`);
    }
  }

  /**
   * Closes the calls `nodeId`'s previous run left open (started before `before`, the start of this
   * run): endReason `crashed`, hungUpBy `system`, endedAt `endedAt` (never before the call started).
   * Returns how many were closed. Idempotent: a closed call is not touched again.
   */
  async closeCrashed(nodeId: string, before: Date, endedAt: Date): Promise<number> {
    const closed = { endReason: CRASHED_END_REASON, hungUpBy: 'system' } as const;
    const open = { nodeId, endedAt: { [Op.is]: null } };
    try {
      const [count] = await this.calls.update({ ...closed, endedAt }, { where: { ...open, startedAt: { [Op.lt]: before, [Op.lte]: endedAt } } });
      // Calls that started after the last sign of life of the previous run end when they started.
      const late = await this.calls.findAll({ where: { ...open, startedAt: { [Op.lt]: before, [Op.gt]: endedAt } } });
      for (const row of late) await row.update({ ...closed, endedAt: asDate(row.startedAt) });
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
>;

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
    // SQLite and MySQL both hand back 0/1 for a BOOLEAN read through a plain query.
    truncated: Boolean(r.truncated),
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
