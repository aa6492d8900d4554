import { DataTypes, type QueryInterface } from 'sequelize';

/**
 * Recording retention (issue 13, RECORDING_RETENTION_DAYS): `calls.recording_expired_at` is set when
 * the retention job deleted the call's recording, so the API answers "expired" (410) instead of a
 * 404 for a file that is gone on purpose. The index serves the job's query (not yet expired, oldest
 * first). A nullable column: MariaDB adds it in place on a large `calls` table.
 */
export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.addColumn('calls', 'recording_expired_at', { type: DataTypes.DATE(3), allowNull: true });
  await qi.addIndex('calls', ['recording_expired_at', 'started_at'], { name: 'calls_recording_expired_at_started_at' });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.removeIndex('calls', 'calls_recording_expired_at_started_at');
  await qi.removeColumn('calls', 'recording_expired_at');
}
