import { DataTypes, type QueryInterface } from 'sequelize';

/**
 * Call and ACD records that survive a crash or a database outage (db/record-spool.ts):
 * - `record_key`: an internal id given when the record is first written, so a write replayed from the
 *   spool is applied once (upsert by key), and a Call-ID reused by a second call still gets its own row.
 * - `node_id`: the process (NODE_ID) that wrote the call, so at start a process closes as `crashed` only
 *   the calls its own previous run left open, never those of another process on the same database.
 * - `truncated`: a From, To, Call-ID or IVR field longer than its column was cut to fit.
 * Nullable columns only, so MariaDB adds them in place (instant ADD COLUMN) on a large `calls` table.
 */
export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.addColumn('calls', 'record_key', { type: DataTypes.STRING(64), allowNull: true });
  await qi.addColumn('calls', 'node_id', { type: DataTypes.STRING(64), allowNull: true });
  await qi.addColumn('calls', 'truncated', { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false });
  await qi.addIndex('calls', ['record_key'], { name: 'calls_record_key', unique: true });
  await qi.addIndex('calls', ['node_id', 'ended_at', 'started_at'], { name: 'calls_node_id_ended_at_started_at' });
  for (const table of ['queue_events', 'agent_state_events']) {
    await qi.addColumn(table, 'record_key', { type: DataTypes.STRING(64), allowNull: true });
    await qi.addIndex(table, ['record_key'], { name: `${table}_record_key`, unique: true });
  }
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  for (const table of ['agent_state_events', 'queue_events']) {
    await qi.removeIndex(table, `${table}_record_key`);
    await qi.removeColumn(table, 'record_key');
  }
  await qi.removeIndex('calls', 'calls_node_id_ended_at_started_at');
  await qi.removeIndex('calls', 'calls_record_key');
  for (const column of ['truncated', 'node_id', 'record_key']) await qi.removeColumn('calls', column);
}
