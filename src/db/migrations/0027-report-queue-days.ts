import { DataTypes, type QueryInterface } from 'sequelize';

/**
 * The call part of the reports per local day of the calls' first entry, queue and wait in whole
 * seconds (metrics/queue-facts.ts), kept up to date in the same transaction as the queue events
 * (db/report-aggregates.ts). Replaces report_call_days (0011) for reports of whole days: thresholds
 * of whole seconds are read from the wait buckets, so one row set serves every setting.
 * Filled from the existing history by 0028.
 */
export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  // Listed here, not imported: a migration stays what it was when a counter is added later.
  const names = ['offered', 'answered', 'abandoned', 'wait_sum_ms', 'handled', 'handle_sum_ms'];
  const counters = Object.fromEntries(names.map((c) => [c, { type: DataTypes.BIGINT, allowNull: false, defaultValue: 0 }]));
  await qi.createTable('report_queue_days', {
    day: { type: DataTypes.STRING(10), allowNull: false, primaryKey: true },
    queue: { type: DataTypes.STRING(64), allowNull: false, primaryKey: true },
    wait_s: { type: DataTypes.INTEGER, allowNull: false, primaryKey: true },
    ...counters,
  });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.dropTable('report_queue_days');
}
