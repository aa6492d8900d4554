import { DataTypes, type QueryInterface } from 'sequelize';

/**
 * The order part of the reports per local day (issue 14): a row per (scope, day, scope id, previous
 * dispatch day, next survey day) with the counters of metrics/order-facts.ts, kept up to date in the
 * same transaction as every ticket write (db/report-aggregates.ts). `scope` is `all` (the centre,
 * scope_id 0), `unit` or `category`. A period of whole days is a sum over its rows
 * (day in [a, b), prev_day < a, next_day ≥ b). Filled from the existing history by 0028.
 */
export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  // Listed here, not imported: a migration stays what it was when a counter is added later (with its own migration).
  const names = ['received', 'closed', 'closed_first_time', 'due', 'due_closed', 'closed_on_time', 'dispatched', 'redispatched', 'responded_on_time', 'rated', 'satisfied', 'basically', 'unsatisfied', 'resolved', 'returned'];
  const counters = Object.fromEntries(names.map((c) => [c, { type: DataTypes.BIGINT, allowNull: false, defaultValue: 0 }]));
  await qi.createTable('report_order_days', {
    scope: { type: DataTypes.STRING(8), allowNull: false, primaryKey: true },
    day: { type: DataTypes.STRING(10), allowNull: false, primaryKey: true },
    scope_id: { type: DataTypes.INTEGER, allowNull: false, primaryKey: true },
    prev_day: { type: DataTypes.STRING(10), allowNull: false, primaryKey: true },
    next_day: { type: DataTypes.STRING(10), allowNull: false, primaryKey: true },
    ...counters,
  });
  // The reconciliation locks one day's rows (db/report-aggregate-rebuild.ts): a range of this index, not the table.
  await qi.addIndex('report_order_days', ['day'], { name: 'report_order_days_day' });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.dropTable('report_order_days');
}
