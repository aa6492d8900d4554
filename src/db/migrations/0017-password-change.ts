import { DataTypes, type QueryInterface } from 'sequelize';

/**
 * Users and secrets (issue 13):
 * - `users.must_change_password`: set when an admin gave the user its password (a reset of another
 *   user's password, or a new user created with the flag); until the user chooses its own, its token
 *   opens only /auth/me, /auth/password and /auth/logout.
 * - `sessions.client_address`, `sessions.user_agent`: where a session was signed in from, captured at
 *   login, so a user (and an admin) can tell its sessions apart before ending one.
 * A NOT NULL column with a default and nullable columns only: MariaDB adds them in place.
 */
export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.addColumn('users', 'must_change_password', { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false });
  await qi.addColumn('sessions', 'client_address', { type: DataTypes.STRING(64), allowNull: true });
  await qi.addColumn('sessions', 'user_agent', { type: DataTypes.STRING(255), allowNull: true });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.removeColumn('sessions', 'user_agent');
  await qi.removeColumn('sessions', 'client_address');
  // SQLite drops a column by copying the table: dropping the old `users` would break the sessions'
  // foreign key while it has rows, so the check is off for the copy (no transaction is open here).
  const sqlite = qi.sequelize.getDialect() === 'sqlite';
  if (sqlite) await qi.sequelize.query('PRAGMA foreign_keys = OFF');
  try {
    await qi.removeColumn('users', 'must_change_password');
  } finally {
    if (sqlite) await qi.sequelize.query('PRAGMA foreign_keys = ON');
  }
}
