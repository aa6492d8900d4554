import { UniqueConstraintError, type Sequelize } from 'sequelize';
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

/** CallRecordRepository on the `calls` table; returns plain objects, never model instances. */
export class SequelizeCallRecordRepository implements CallRecordRepository {
  private readonly calls: CallModel;

  constructor(sequelize: Sequelize) {
    this.calls = defineCallModel(sequelize);
  }

  async create(record: NewCallRecord): Promise<void> {
    checkLengths({ callId: record.callId, from: record.from, to: record.to });
    checkDate('startedAt', record.startedAt);
    try {
      await this.calls.create({
        callId: record.callId,
        direction: record.direction,
        fromNumber: record.from,
        toNumber: record.to,
        startedAt: record.startedAt,
      });
    } catch (err) {
      if (err instanceof UniqueConstraintError) {
        throw new AppError('DUPLICATE', `call ${record.callId} is already stored`, { cause: err });
      }
      throw toAppError(err, 'DATABASE_ERROR', `storing call ${record.callId} failed`);
    }
  }

  async update(callId: string, patch: CallRecordPatch): Promise<void> {
    checkLengths({
      endReason: patch.endReason,
      digits: patch.digits,
      ivrPath: patch.ivrPath,
      queue: patch.queue ?? undefined,
      agentExtension: patch.agentExtension ?? undefined,
      recordingPath: patch.recordingPath ?? undefined,
    });
    if (patch.answeredAt) checkDate('answeredAt', patch.answeredAt);
    if (patch.endedAt) checkDate('endedAt', patch.endedAt);
    const values: Partial<InferredValues> = {};
    if (patch.answeredAt !== undefined) values.answeredAt = patch.answeredAt;
    if (patch.endedAt !== undefined) values.endedAt = patch.endedAt;
    if (patch.endReason !== undefined) values.endReason = patch.endReason;
    if (patch.hungUpBy !== undefined) values.hungUpBy = patch.hungUpBy;
    if (patch.digits !== undefined) values.digits = patch.digits;
    if (patch.ivrPath !== undefined) values.ivrPath = patch.ivrPath;
    if (patch.queue !== undefined) values.queue = patch.queue;
    if (patch.queuedAt !== undefined) values.queuedAt = patch.queuedAt;
    if (patch.agentId !== undefined) values.agentId = patch.agentId;
    if (patch.agentExtension !== undefined) values.agentExtension = patch.agentExtension;
    if (patch.agentAnsweredAt !== undefined) values.agentAnsweredAt = patch.agentAnsweredAt;
    if (patch.recordingPath !== undefined) values.recordingPath = patch.recordingPath;
    try {
      // MySQL counts changed rows, not matched ones, so 0 may still mean "exists": ask again before refusing.
      const [affected] = await this.calls.update(values, { where: { callId } });
      if (affected > 0) return;
      const exists = (await this.calls.count({ where: { callId } })) > 0;
      if (!exists) throw new NotFoundError(`call ${callId} not found`);
    } catch (err) {
      throw toAppError(err, 'DATABASE_ERROR', `updating call ${callId} failed`);
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
}

type InferredValues = Pick<
  CallRow,
  'answeredAt' | 'endedAt' | 'endReason' | 'hungUpBy' | 'digits' | 'ivrPath' | 'queue' | 'queuedAt' | 'agentId' | 'agentExtension' | 'agentAnsweredAt' | 'recordingPath'
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
  };
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

/** Refuses over-long values the same way on SQLite (which would store them) and MySQL (which would fail). */
function checkLengths(values: Partial<Record<keyof typeof CALL_COLUMN_LIMITS, string | null | undefined>>): void {
  const issues: { path: string; message: string }[] = [];
  for (const [key, value] of Object.entries(values)) {
    const max = CALL_COLUMN_LIMITS[key as keyof typeof CALL_COLUMN_LIMITS];
    if (typeof value === 'string' && value.length > max) issues.push({ path: key, message: `longer than ${max} characters` });
  }
  if (issues.length > 0) {
    throw new ValidationError(`call record: ${issues.map((i) => `${i.path} ${i.message}`).join(', ')}`, issues);
  }
}

function checkDate(path: string, value: Date): void {
  if (Number.isNaN(value.getTime())) throw new ValidationError(`call record: ${path} is not a valid date`, [{ path, message: 'not a valid date' }]);
}
