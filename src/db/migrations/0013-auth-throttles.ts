import { DataTypes, type QueryInterface } from 'sequelize';

/**
 * Password-guessing counters (HTTP login and SIP REGISTER digest), shared by every process of a
 * cluster so limits hold across processes and restarts (issue 9, item 6). Times are epoch
 * milliseconds: they are compared, never shown, and a BIGINT compares the same on every dialect.
 */
export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.createTable('auth_throttles', {
    throttle_key: { type: DataTypes.STRING(191), allowNull: false, primaryKey: true },
    failures: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    first_at: { type: DataTypes.BIGINT, allowNull: false },
    blocked_until: { type: DataTypes.BIGINT, allowNull: false, defaultValue: 0 },
    updated_at: { type: DataTypes.BIGINT, allowNull: false },
  });
  await qi.addIndex('auth_throttles', ['updated_at'], { name: 'auth_throttles_updated_at' });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.dropTable('auth_throttles');
}
