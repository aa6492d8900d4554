import { DataTypes, type QueryInterface } from 'sequelize';

/** The agent side of a call: the queue it waited in, the agent who took it, and the recording. */
export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.addColumn('calls', 'queue', { type: DataTypes.STRING(64), allowNull: true });
  await qi.addColumn('calls', 'queued_at', { type: DataTypes.DATE(3), allowNull: true });
  await qi.addColumn('calls', 'agent_id', { type: DataTypes.INTEGER, allowNull: true });
  await qi.addColumn('calls', 'agent_extension', { type: DataTypes.STRING(32), allowNull: true });
  await qi.addColumn('calls', 'agent_answered_at', { type: DataTypes.DATE(3), allowNull: true });
  await qi.addColumn('calls', 'recording_path', { type: DataTypes.STRING(1000), allowNull: true });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  for (const column of ['recording_path', 'agent_answered_at', 'agent_extension', 'agent_id', 'queued_at', 'queue']) {
    await qi.removeColumn('calls', column);
  }
}
