import type { QueryInterface } from 'sequelize';

/**
 * queue_events (call_id, event, at, wait_ms): AHT of the reports (db/report-queries.ts, queue-counts)
 * pairs each `wrap-up-ended` row of the window with its call's `answered` row as an index-only lookup,
 * instead of grouping every queue event of the period per call (docs/bench-reports.md).
 */
const INDEX = { table: 'queue_events', name: 'queue_events_call_id_event_at_wait_ms', fields: ['call_id', 'event', 'at', 'wait_ms'] };

export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.addIndex(INDEX.table, INDEX.fields, { name: INDEX.name });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.removeIndex(INDEX.table, INDEX.name);
}
