import { DataTypes, type QueryInterface } from 'sequelize';

/**
 * 勿扰 (do-not-call) on the work order: the resident asked not to be called back, so no 回访 call
 * (IVR campaign or callback agent) is placed for it. Existing orders may be called (false).
 */
export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.addColumn('tickets', 'do_not_call', { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.removeColumn('tickets', 'do_not_call');
}
