import { DataTypes, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Model, type ModelStatic, type Sequelize } from 'sequelize';
import type { MessageCloseReason, MessageSettlement, MessageStatus, NewVoiceMessage, VoiceMessage, VoiceMessageRepository } from '../messages/voice-message.js';
import { toAppError } from '../shared/app-error.js';

/** One row of `voice_messages` (migrations/0022-voice-messages.ts). */
interface VoiceMessageRow extends Model<InferAttributes<VoiceMessageRow>, InferCreationAttributes<VoiceMessageRow>> {
  id: CreationOptional<number>;
  callId: string;
  callerNumber: string;
  queue: string;
  receivedAt: Date;
  recordingPath: string;
  durationMs: number;
  status: CreationOptional<string>;
  closeReason: CreationOptional<string | null>;
  closeNote: CreationOptional<string | null>;
  orderCode: CreationOptional<string | null>;
  handledBy: CreationOptional<number | null>;
  handledAt: CreationOptional<Date | null>;
}

function defineModel(sequelize: Sequelize): ModelStatic<VoiceMessageRow> {
  if (sequelize.isDefined('VoiceMessage')) return sequelize.model('VoiceMessage') as ModelStatic<VoiceMessageRow>;
  return sequelize.define<VoiceMessageRow>(
    'VoiceMessage',
    {
      id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
      callId: { type: DataTypes.STRING(255), allowNull: false, field: 'call_id' },
      callerNumber: { type: DataTypes.STRING(64), allowNull: false, field: 'caller_number' },
      queue: { type: DataTypes.STRING(64), allowNull: false },
      receivedAt: { type: DataTypes.DATE(3), allowNull: false, field: 'received_at' },
      recordingPath: { type: DataTypes.STRING(1024), allowNull: false, field: 'recording_path' },
      durationMs: { type: DataTypes.INTEGER, allowNull: false, field: 'duration_ms' },
      status: { type: DataTypes.STRING(16), allowNull: false, defaultValue: 'pending' },
      closeReason: { type: DataTypes.STRING(16), allowNull: true, field: 'close_reason' },
      closeNote: { type: DataTypes.STRING(500), allowNull: true, field: 'close_note' },
      orderCode: { type: DataTypes.STRING(32), allowNull: true, field: 'order_code' },
      handledBy: { type: DataTypes.INTEGER, allowNull: true, field: 'handled_by' },
      handledAt: { type: DataTypes.DATE(3), allowNull: true, field: 'handled_at' },
    },
    { tableName: 'voice_messages', timestamps: false },
  );
}

function toMessage(r: VoiceMessageRow): VoiceMessage {
  return {
    id: r.id,
    callId: r.callId,
    callerNumber: r.callerNumber,
    queue: r.queue,
    receivedAt: r.receivedAt.getTime(),
    recordingPath: r.recordingPath,
    durationMs: r.durationMs,
    status: r.status as MessageStatus,
    closeReason: (r.closeReason ?? null) as MessageCloseReason | null,
    closeNote: r.closeNote ?? null,
    orderCode: r.orderCode ?? null,
    handledBy: r.handledBy ?? null,
    handledAt: r.handledAt instanceof Date ? r.handledAt.getTime() : null,
  };
}

/** VoiceMessageRepository on `voice_messages`; returns plain objects. */
export class SequelizeVoiceMessageRepository implements VoiceMessageRepository {
  private readonly rows: ModelStatic<VoiceMessageRow>;

  constructor(sequelize: Sequelize) {
    this.rows = defineModel(sequelize);
  }

  async create(m: NewVoiceMessage): Promise<VoiceMessage> {
    try {
      const row = await this.rows.create({ ...m, receivedAt: new Date(m.receivedAt) });
      return toMessage(row);
    } catch (err) {
      throw toAppError(err, 'DATABASE_ERROR', `storing the message of call ${m.callId} failed`);
    }
  }

  async get(id: number): Promise<VoiceMessage | undefined> {
    try {
      const row = await this.rows.findByPk(id);
      return row === null ? undefined : toMessage(row);
    } catch (err) {
      throw toAppError(err, 'DATABASE_ERROR', `reading message ${id} failed`);
    }
  }

  async list(filter: { readonly status: MessageStatus }, page: { readonly limit: number; readonly offset: number }): Promise<{ items: VoiceMessage[]; total: number }> {
    const direction = filter.status === 'pending' ? 'ASC' : 'DESC';
    try {
      const { rows, count } = await this.rows.findAndCountAll({
        where: { status: filter.status },
        order: [['receivedAt', direction], ['id', direction]],
        limit: page.limit,
        offset: page.offset,
      });
      return { items: rows.map(toMessage), total: count };
    } catch (err) {
      throw toAppError(err, 'DATABASE_ERROR', 'listing messages failed');
    }
  }

  async settle(id: number, s: MessageSettlement): Promise<boolean> {
    const values =
      s.status === 'converted'
        ? { status: s.status, orderCode: s.orderCode, handledBy: s.handledBy, handledAt: new Date(s.handledAt) }
        : { status: s.status, closeReason: s.closeReason, closeNote: s.closeNote, handledBy: s.handledBy, handledAt: new Date(s.handledAt) };
    try {
      const [changed] = await this.rows.update(values, { where: { id, status: 'pending' } });
      return changed === 1;
    } catch (err) {
      throw toAppError(err, 'DATABASE_ERROR', `settling message ${id} failed`);
    }
  }
}
