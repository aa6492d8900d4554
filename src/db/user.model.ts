import { DataTypes, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Model, type ModelStatic, type Sequelize } from 'sequelize';

/** One row of `users` (see migrations/0002-create-users.ts), in model attribute names. */
export interface UserRow extends Model<InferAttributes<UserRow>, InferCreationAttributes<UserRow>> {
  id: CreationOptional<number>;
  username: string;
  displayName: string;
  role: string;
  passwordHash: string;
  extension: string | null;
  sipHa1: string | null;
  sipRealm: string | null;
  /** JSON list of strings; MariaDB hands JSON columns back as text, so readers accept both. */
  skills: unknown;
  unitId: number | null;
  active: boolean;
  /** Migration 0017: the user must choose its own password before anything else. */
  mustChangePassword: CreationOptional<boolean>;
  createdAt: Date;
  updatedAt: Date;
}

export type UserModel = ModelStatic<UserRow>;


/** Defines the `users` model on one Sequelize instance (per instance, so two databases can be open at once). */
export function defineUserModel(sequelize: Sequelize): UserModel {
  // Times come from the identity service's Clock, hence timestamps: false.
  return sequelize.define<UserRow>(
    'User',
    {
      id: { type: DataTypes.INTEGER, allowNull: false, primaryKey: true, autoIncrement: true },
      username: { type: DataTypes.STRING(64).BINARY, allowNull: false },
      displayName: { type: DataTypes.STRING(64), allowNull: false, field: 'display_name' },
      role: { type: DataTypes.STRING(16), allowNull: false },
      passwordHash: { type: DataTypes.STRING(255), allowNull: false, field: 'password_hash' },
      extension: { type: DataTypes.STRING(8), allowNull: true },
      sipHa1: { type: DataTypes.STRING(32), allowNull: true, field: 'sip_ha1' },
      sipRealm: { type: DataTypes.STRING(255), allowNull: true, field: 'sip_realm' },
      skills: { type: DataTypes.JSON, allowNull: false },
      unitId: { type: DataTypes.INTEGER, allowNull: true, field: 'unit_id' },
      active: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
      mustChangePassword: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false, field: 'must_change_password' },
      createdAt: { type: DataTypes.DATE(3), allowNull: false, field: 'created_at' },
      updatedAt: { type: DataTypes.DATE(3), allowNull: false, field: 'updated_at' },
    },
    { tableName: 'users', timestamps: false },
  );
}
