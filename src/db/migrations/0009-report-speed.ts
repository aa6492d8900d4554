import type { QueryInterface } from 'sequelize';

/**
 * Covering indexes for the reports (db/report-queries.ts, docs/bench-reports.md), so the per-call and
 * per-order steps never read table rows:
 *
 * - queue_events (at, call_id, event, wait_ms, queue): 接通率 … AHT read the queue events of a time window
 *   (the period widened by a call's span) as one range scan and group them per call.
 * - ticket_events (ticket_id, type, id, at, unit_id): the per-order facts of 办结, 应办结 and 派单 (last
 *   closed / reopened, counts of returned, dispatched, signed …) are index-only lookups per order.
 * - tickets (reply_by, current_unit_id): 应办结 per unit is a range on reply_by without reading the rows.
 */
const INDEXES: readonly { table: string; name: string; fields: string[] }[] = [
  { table: 'queue_events', name: 'queue_events_at_call_id_event_wait_ms_queue', fields: ['at', 'call_id', 'event', 'wait_ms', 'queue'] },
  { table: 'ticket_events', name: 'ticket_events_ticket_id_type_id_at_unit_id', fields: ['ticket_id', 'type', 'id', 'at', 'unit_id'] },
  { table: 'tickets', name: 'tickets_reply_by_current_unit_id', fields: ['reply_by', 'current_unit_id'] },
];

export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  for (const index of INDEXES) await qi.addIndex(index.table, index.fields, { name: index.name });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  for (const index of [...INDEXES].reverse()) await qi.removeIndex(index.table, index.name);
}
