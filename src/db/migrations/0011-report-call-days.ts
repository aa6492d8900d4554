import { DataTypes, type QueryInterface } from 'sequelize';

/**
 * The call part of the reports (接通率, 15秒接通率, 放弃率, ASA, AHT) per settled day, kept so a weekly or
 * monthly report sums stored days instead of scanning millions of queue events (db/report-queries.ts,
 * docs/bench-reports.md). A day is settled once every queue event of its calls is written (its end
 * plus CALL_SPAN_MS); queue events are never changed afterwards, so its counts do not change either.
 * `params` holds the thresholds the counts were made with: other thresholds are other rows.
 * Deleting rows is always safe: they are computed again on the next report that needs them.
 */
export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  const count = { type: DataTypes.BIGINT, allowNull: false };
  await qi.createTable('report_call_days', {
    params: { type: DataTypes.STRING(255), allowNull: false, primaryKey: true },
    day_start_ms: { type: DataTypes.BIGINT, allowNull: false, primaryKey: true },
    offered: count,
    answered: count,
    answered_within_sl: count,
    abandoned: count,
    short_abandons: count,
    wait_sum_ms: count,
    handled: count,
    handle_sum_ms: count,
    computed_at: { type: DataTypes.DATE(3), allowNull: false },
  });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.dropTable('report_call_days');
}
