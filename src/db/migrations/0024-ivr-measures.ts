import { DataTypes, type QueryInterface } from 'sequelize';

/**
 * IVR containment and self-service (issue 12), on the call record:
 * - `calls.ivr_flow`: the flow the call ran (its `name`), so the per-node report reads one flow's ids.
 * - `calls.ivr_outcome`: how the IVR run ended (`queue`, `caller-hangup`, `hangup`, `failed`).
 * - `calls.ivr_self_served`: the run reached one of its flow's `selfService` nodes and did not go on to
 *   an agent queue (自助服务完成).
 * - `calls.ivr_spoken`: the texts the `speak` nodes synthesised, one a line (what the caller heard).
 * - index (ivr_flow, started_at): the per-node report reads one flow's calls of a period.
 * Nullable columns and one NOT NULL column with a default only: MariaDB adds them in place.
 */
export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.addColumn('calls', 'ivr_flow', { type: DataTypes.STRING(64), allowNull: true });
  await qi.addColumn('calls', 'ivr_outcome', { type: DataTypes.STRING(16), allowNull: true });
  await qi.addColumn('calls', 'ivr_self_served', { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false });
  await qi.addColumn('calls', 'ivr_spoken', { type: DataTypes.TEXT, allowNull: true });
  await qi.addIndex('calls', ['ivr_flow', 'started_at'], { name: 'calls_ivr_flow_started_at' });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.removeIndex('calls', 'calls_ivr_flow_started_at');
  await qi.removeColumn('calls', 'ivr_spoken');
  await qi.removeColumn('calls', 'ivr_self_served');
  await qi.removeColumn('calls', 'ivr_outcome');
  await qi.removeColumn('calls', 'ivr_flow');
}
