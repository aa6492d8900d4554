import { DataTypes, type QueryInterface } from 'sequelize';

/**
 * Users (every role) and their bearer-token sessions. Usernames and token hashes use a binary
 * collation so MySQL/MariaDB compare them exactly as SQLite does (`Admin` ≠ `admin`).
 * Secrets are stored only as hashes: scrypt for the password, MD5 HA1 for SIP digest (RFC 2617
 * §3.2.2.2), SHA-256 for tokens. `unit_id` names a handling unit of another module: no foreign key.
 */
export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.createTable(
    'users',
    {
      id: { type: DataTypes.INTEGER, allowNull: false, primaryKey: true, autoIncrement: true },
      username: { type: DataTypes.STRING(64).BINARY, allowNull: false },
      display_name: { type: DataTypes.STRING(64), allowNull: false },
      role: { type: DataTypes.STRING(16), allowNull: false },
      password_hash: { type: DataTypes.STRING(255), allowNull: false },
      extension: { type: DataTypes.STRING(8), allowNull: true },
      sip_ha1: { type: DataTypes.STRING(32), allowNull: true },
      sip_realm: { type: DataTypes.STRING(255), allowNull: true },
      skills: { type: DataTypes.JSON, allowNull: false },
      unit_id: { type: DataTypes.INTEGER, allowNull: true },
      active: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
      created_at: { type: DataTypes.DATE(3), allowNull: false },
      updated_at: { type: DataTypes.DATE(3), allowNull: false },
    },
    { charset: 'utf8mb4', collate: 'utf8mb4_unicode_ci' },
  );
  await qi.addIndex('users', ['username'], { name: 'users_username_unique', unique: true });
  // Several NULLs (non-agents) are allowed by a unique index on both SQLite and MySQL.
  await qi.addIndex('users', ['extension'], { name: 'users_extension_unique', unique: true });

  await qi.createTable(
    'sessions',
    {
      token_hash: { type: DataTypes.STRING(64).BINARY, allowNull: false, primaryKey: true },
      user_id: {
        type: DataTypes.INTEGER,
        allowNull: false,
        references: { model: 'users', key: 'id' },
        onDelete: 'CASCADE',
        onUpdate: 'CASCADE',
      },
      expires_at: { type: DataTypes.DATE(3), allowNull: false },
      created_at: { type: DataTypes.DATE(3), allowNull: false },
    },
    { charset: 'utf8mb4', collate: 'utf8mb4_unicode_ci' },
  );
  await qi.addIndex('sessions', ['user_id'], { name: 'sessions_user_id' });
  await qi.addIndex('sessions', ['expires_at'], { name: 'sessions_expires_at' });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.dropTable('sessions');
  await qi.dropTable('users');
}
