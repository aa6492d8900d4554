import { DataTypes, type InferAttributes, type InferCreationAttributes, type Model, type ModelStatic, type Sequelize } from 'sequelize';

/** One row of `sessions` (see migrations/0002-create-users.ts): a bearer token's SHA-256, never the token. */
export interface SessionRow extends Model<InferAttributes<SessionRow>, InferCreationAttributes<SessionRow>> {
  tokenHash: string;
  userId: number;
  expiresAt: Date;
  createdAt: Date;
  /** Migration 0017: where the login came from (null for sessions older than it). */
  clientAddress: string | null;
  userAgent: string | null;
}

export type SessionModel = ModelStatic<SessionRow>;

/** Defines the `sessions` model on one Sequelize instance. */
export function defineSessionModel(sequelize: Sequelize): SessionModel {
  return sequelize.define<SessionRow>(
    'Session',
    {
      tokenHash: { type: DataTypes.STRING(64).BINARY, allowNull: false, primaryKey: true, field: 'token_hash' },
      userId: { type: DataTypes.INTEGER, allowNull: false, field: 'user_id' },
      expiresAt: { type: DataTypes.DATE(3), allowNull: false, field: 'expires_at' },
      createdAt: { type: DataTypes.DATE(3), allowNull: false, field: 'created_at' },
      clientAddress: { type: DataTypes.STRING(64), allowNull: true, field: 'client_address' },
      userAgent: { type: DataTypes.STRING(255), allowNull: true, field: 'user_agent' },
    },
    { tableName: 'sessions', timestamps: false },
  );
}
