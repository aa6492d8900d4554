import { DataTypes, type QueryInterface } from 'sequelize';

/**
 * Messages (留言, issue 12): what callers recorded at night or when no agent staffed their queue, as
 * draft orders (留言待处理) until an agent converts one into a work order (`order_code`) or closes it
 * with a reason. A table of its own, not a ticket state: a draft has no category, unit or deadline and
 * must not enter any order metric. `(status, received_at)` serves the morning list (pending, oldest first).
 */
export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.createTable('voice_messages', {
    id: { type: DataTypes.INTEGER, allowNull: false, primaryKey: true, autoIncrement: true },
    call_id: { type: DataTypes.STRING(255), allowNull: false },
    caller_number: { type: DataTypes.STRING(64), allowNull: false },
    queue: { type: DataTypes.STRING(64), allowNull: false },
    received_at: { type: DataTypes.DATE(3), allowNull: false },
    recording_path: { type: DataTypes.STRING(1024), allowNull: false },
    duration_ms: { type: DataTypes.INTEGER, allowNull: false },
    status: { type: DataTypes.STRING(16), allowNull: false, defaultValue: 'pending' },
    close_reason: { type: DataTypes.STRING(16), allowNull: true },
    close_note: { type: DataTypes.STRING(500), allowNull: true },
    order_code: { type: DataTypes.STRING(32), allowNull: true },
    handled_by: { type: DataTypes.INTEGER, allowNull: true },
    handled_at: { type: DataTypes.DATE(3), allowNull: true },
  });
  await qi.addIndex('voice_messages', ['status', 'received_at'], { name: 'voice_messages_status_received' });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.dropTable('voice_messages');
}
