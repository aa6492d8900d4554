import { DataTypes, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Model, type ModelStatic, type Sequelize } from 'sequelize';

/** One row of `queue_events` (migrations/0003-create-acd-records.ts), in model attribute names. */
export interface QueueEventRow extends Model<InferAttributes<QueueEventRow>, InferCreationAttributes<QueueEventRow>> {
  id: CreationOptional<number>;
  callId: string;
  queue: string;
  event: string;
  agentId: string | null;
  extension: string | null;
  waitMs: number | null;
  talkMs: number | null;
  at: Date;
  /** Set when written through the record spool (migrations/0012): a replayed write is applied once. */
  recordKey: CreationOptional<string | null>;
}

export type QueueEventModel = ModelStatic<QueueEventRow>;

export function defineQueueEventModel(sequelize: Sequelize): QueueEventModel {
  return sequelize.define<QueueEventRow>(
    'QueueEvent',
    {
      id: { type: DataTypes.INTEGER, allowNull: false, primaryKey: true, autoIncrement: true },
      callId: { type: DataTypes.STRING(255).BINARY, allowNull: false, field: 'call_id' },
      queue: { type: DataTypes.STRING(64), allowNull: false },
      event: { type: DataTypes.STRING(16), allowNull: false },
      agentId: { type: DataTypes.STRING(64), allowNull: true, field: 'agent_id' },
      extension: { type: DataTypes.STRING(64), allowNull: true },
      waitMs: { type: DataTypes.INTEGER, allowNull: true, field: 'wait_ms' },
      talkMs: { type: DataTypes.INTEGER, allowNull: true, field: 'talk_ms' },
      at: { type: DataTypes.DATE(3), allowNull: false },
      recordKey: { type: DataTypes.STRING(64), allowNull: true, field: 'record_key' },
    },
    { tableName: 'queue_events', timestamps: false },
  );
}
