import { DataTypes, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Model, type ModelStatic, type Sequelize } from 'sequelize';

/** One row of `agent_state_events` (migrations/0003-create-acd-records.ts), in model attribute names. */
export interface AgentEventRow extends Model<InferAttributes<AgentEventRow>, InferCreationAttributes<AgentEventRow>> {
  id: CreationOptional<number>;
  agentId: string;
  extension: string;
  fromState: string;
  toState: string;
  reason: string | null;
  at: Date;
  /** Set when written through the record spool (migrations/0012): a replayed write is applied once. */
  recordKey: CreationOptional<string | null>;
}

export type AgentEventModel = ModelStatic<AgentEventRow>;

export function defineAgentEventModel(sequelize: Sequelize): AgentEventModel {
  return sequelize.define<AgentEventRow>(
    'AgentStateEvent',
    {
      id: { type: DataTypes.INTEGER, allowNull: false, primaryKey: true, autoIncrement: true },
      agentId: { type: DataTypes.STRING(64), allowNull: false, field: 'agent_id' },
      extension: { type: DataTypes.STRING(64), allowNull: false },
      fromState: { type: DataTypes.STRING(16), allowNull: false, field: 'from_state' },
      toState: { type: DataTypes.STRING(16), allowNull: false, field: 'to_state' },
      reason: { type: DataTypes.STRING(64), allowNull: true },
      at: { type: DataTypes.DATE(3), allowNull: false },
      recordKey: { type: DataTypes.STRING(64), allowNull: true, field: 'record_key' },
    },
    { tableName: 'agent_state_events', timestamps: false },
  );
}
