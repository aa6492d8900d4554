import { DataTypes, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Model, type ModelStatic, type Sequelize } from 'sequelize';

/** One row of `calls` (see migrations/0001-create-calls.ts, 0005, 0012, 0020 and 0024), in model attribute names. */
export interface CallRow extends Model<InferAttributes<CallRow>, InferCreationAttributes<CallRow>> {
  callId: string;
  direction: string;
  fromNumber: string;
  toNumber: string;
  startedAt: Date;
  answeredAt: CreationOptional<Date | null>;
  endedAt: CreationOptional<Date | null>;
  endReason: CreationOptional<string | null>;
  hungUpBy: CreationOptional<string | null>;
  digits: CreationOptional<string>;
  ivrPath: CreationOptional<string>;
  queue: CreationOptional<string | null>;
  queuedAt: CreationOptional<Date | null>;
  agentId: CreationOptional<number | null>;
  agentExtension: CreationOptional<string | null>;
  agentAnsweredAt: CreationOptional<Date | null>;
  recordingPath: CreationOptional<string | null>;
  recordingExpiredAt: CreationOptional<Date | null>;
  recordKey: CreationOptional<string | null>;
  nodeId: CreationOptional<string | null>;
  truncated: CreationOptional<boolean>;
  ivrFlow: CreationOptional<string | null>;
  ivrOutcome: CreationOptional<string | null>;
  ivrSelfServed: CreationOptional<boolean>;
  ivrSpoken: CreationOptional<string | null>;
  createdAt: CreationOptional<Date>;
  updatedAt: CreationOptional<Date>;
}

export type CallModel = ModelStatic<CallRow>;

/** Column limits shared with the migration, checked before writing so both dialects refuse alike. */
export const CALL_COLUMN_LIMITS = {
  callId: 255,
  from: 255,
  to: 255,
  endReason: 64,
  digits: 255,
  ivrPath: 1000,
  queue: 64,
  agentExtension: 32,
  recordingPath: 1000,
  ivrFlow: 64,
  ivrOutcome: 16,
  /** A TEXT column; the cap keeps a row small (the `speak` texts of one call are far shorter). */
  ivrSpoken: 4000,
} as const;

/**
 * Defines the `calls` model on one Sequelize instance (defined per instance, not as a global class,
 * so two databases can be open at once, as in tests).
 */
export function defineCallModel(sequelize: Sequelize): CallModel {
  return sequelize.define<CallRow>(
    'Call',
    {
      callId: { type: DataTypes.STRING(255).BINARY, allowNull: false, primaryKey: true, field: 'call_id' },
      direction: { type: DataTypes.STRING(16), allowNull: false },
      fromNumber: { type: DataTypes.STRING(255), allowNull: false, field: 'from_number' },
      toNumber: { type: DataTypes.STRING(255), allowNull: false, field: 'to_number' },
      startedAt: { type: DataTypes.DATE(3), allowNull: false, field: 'started_at' },
      answeredAt: { type: DataTypes.DATE(3), allowNull: true, field: 'answered_at' },
      endedAt: { type: DataTypes.DATE(3), allowNull: true, field: 'ended_at' },
      endReason: { type: DataTypes.STRING(64), allowNull: true, field: 'end_reason' },
      hungUpBy: { type: DataTypes.STRING(16), allowNull: true, field: 'hung_up_by' },
      digits: { type: DataTypes.STRING(255), allowNull: false, defaultValue: '' },
      ivrPath: { type: DataTypes.STRING(1000), allowNull: false, defaultValue: '', field: 'ivr_path' },
      queue: { type: DataTypes.STRING(64), allowNull: true },
      queuedAt: { type: DataTypes.DATE(3), allowNull: true, field: 'queued_at' },
      agentId: { type: DataTypes.INTEGER, allowNull: true, field: 'agent_id' },
      agentExtension: { type: DataTypes.STRING(32), allowNull: true, field: 'agent_extension' },
      agentAnsweredAt: { type: DataTypes.DATE(3), allowNull: true, field: 'agent_answered_at' },
      recordingPath: { type: DataTypes.STRING(1000), allowNull: true, field: 'recording_path' },
      recordingExpiredAt: { type: DataTypes.DATE(3), allowNull: true, field: 'recording_expired_at' },
      recordKey: { type: DataTypes.STRING(64), allowNull: true, field: 'record_key' },
      nodeId: { type: DataTypes.STRING(64), allowNull: true, field: 'node_id' },
      truncated: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
      ivrFlow: { type: DataTypes.STRING(64), allowNull: true, field: 'ivr_flow' },
      ivrOutcome: { type: DataTypes.STRING(16), allowNull: true, field: 'ivr_outcome' },
      ivrSelfServed: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false, field: 'ivr_self_served' },
      ivrSpoken: { type: DataTypes.TEXT, allowNull: true, field: 'ivr_spoken' },
      createdAt: { type: DataTypes.DATE(3), allowNull: false, field: 'created_at' },
      updatedAt: { type: DataTypes.DATE(3), allowNull: false, field: 'updated_at' },
    },
    { tableName: 'calls', timestamps: true, underscored: true },
  );
}
