import { DataTypes, type QueryInterface } from 'sequelize';

/**
 * ACD records: queue events (every queue metric is computed from them), agent state changes, and
 * callback requests. Times are DATETIME(3) UTC; ids auto-increment (INTEGER: SQLite needs it for
 * AUTOINCREMENT, and 2^31 rows is decades of a city's calls).
 */
export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  const utf8mb4 = { charset: 'utf8mb4', collate: 'utf8mb4_unicode_ci' };
  const id = { type: DataTypes.INTEGER, allowNull: false, primaryKey: true, autoIncrement: true };
  // RFC 3261 §8.1.1.4: Call-IDs are case-sensitive, hence the binary collation (as in `calls`).
  const callId = { type: DataTypes.STRING(255).BINARY, allowNull: false };

  await qi.createTable(
    'queue_events',
    {
      id,
      call_id: callId,
      queue: { type: DataTypes.STRING(64), allowNull: false },
      event: { type: DataTypes.STRING(16), allowNull: false },
      agent_id: { type: DataTypes.STRING(64), allowNull: true },
      extension: { type: DataTypes.STRING(64), allowNull: true },
      wait_ms: { type: DataTypes.INTEGER, allowNull: true },
      talk_ms: { type: DataTypes.INTEGER, allowNull: true },
      at: { type: DataTypes.DATE(3), allowNull: false },
    },
    utf8mb4,
  );
  await qi.addIndex('queue_events', ['at'], { name: 'queue_events_at' });
  await qi.addIndex('queue_events', ['call_id'], { name: 'queue_events_call_id' });

  await qi.createTable(
    'agent_state_events',
    {
      id,
      agent_id: { type: DataTypes.STRING(64), allowNull: false },
      extension: { type: DataTypes.STRING(64), allowNull: false },
      from_state: { type: DataTypes.STRING(16), allowNull: false },
      to_state: { type: DataTypes.STRING(16), allowNull: false },
      reason: { type: DataTypes.STRING(64), allowNull: true },
      at: { type: DataTypes.DATE(3), allowNull: false },
    },
    utf8mb4,
  );
  await qi.addIndex('agent_state_events', ['at'], { name: 'agent_state_events_at' });
  await qi.addIndex('agent_state_events', ['agent_id', 'at'], { name: 'agent_state_events_agent_at' });

  await qi.createTable(
    'callback_requests',
    {
      id,
      call_id: callId,
      queue: { type: DataTypes.STRING(64), allowNull: false },
      caller_number: { type: DataTypes.STRING(255), allowNull: false },
      requested_at: { type: DataTypes.DATE(3), allowNull: false },
      status: { type: DataTypes.STRING(16), allowNull: false, defaultValue: 'open' },
      handled_by: { type: DataTypes.STRING(64), allowNull: true },
    },
    utf8mb4,
  );
  await qi.addIndex('callback_requests', ['status', 'requested_at'], { name: 'callback_requests_status_requested_at' });
  await qi.addIndex('callback_requests', ['call_id'], { name: 'callback_requests_call_id' });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.dropTable('callback_requests');
  await qi.dropTable('agent_state_events');
  await qi.dropTable('queue_events');
}
