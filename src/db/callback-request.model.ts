import { DataTypes, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Model, type ModelStatic, type Sequelize } from 'sequelize';

/** One row of `callback_requests` (migrations/0003-create-acd-records.ts), in model attribute names. */
export interface CallbackRequestRow extends Model<InferAttributes<CallbackRequestRow>, InferCreationAttributes<CallbackRequestRow>> {
  id: CreationOptional<number>;
  callId: string;
  queue: string;
  callerNumber: string;
  requestedAt: Date;
  status: CreationOptional<string>;
  handledBy: CreationOptional<string | null>;
}

export type CallbackRequestModel = ModelStatic<CallbackRequestRow>;

export function defineCallbackRequestModel(sequelize: Sequelize): CallbackRequestModel {
  return sequelize.define<CallbackRequestRow>(
    'CallbackRequest',
    {
      id: { type: DataTypes.INTEGER, allowNull: false, primaryKey: true, autoIncrement: true },
      callId: { type: DataTypes.STRING(255).BINARY, allowNull: false, field: 'call_id' },
      queue: { type: DataTypes.STRING(64), allowNull: false },
      callerNumber: { type: DataTypes.STRING(255), allowNull: false, field: 'caller_number' },
      requestedAt: { type: DataTypes.DATE(3), allowNull: false, field: 'requested_at' },
      status: { type: DataTypes.STRING(16), allowNull: false, defaultValue: 'open' },
      handledBy: { type: DataTypes.STRING(64), allowNull: true, field: 'handled_by' },
    },
    { tableName: 'callback_requests', timestamps: false },
  );
}
