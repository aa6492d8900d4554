import type { QueryInterface } from 'sequelize';

/**
 * Indexes for the reports (db/report-queries.ts): each report first finds the calls or orders that have
 * the period's event (`entered`, `closed`, `dispatched`, `surveyed`, `returned`) and then groups their
 * rows by call_id / ticket_id; these make the first step a range scan that never reads the table rows
 * (the id is in the index), and 应办结 a range on reply_by.
 */
const INDEXES: readonly { table: string; name: string; fields: string[] }[] = [
  { table: 'queue_events', name: 'queue_events_event_at_call_id', fields: ['event', 'at', 'call_id'] },
  { table: 'ticket_events', name: 'ticket_events_type_at_ticket_id', fields: ['type', 'at', 'ticket_id'] },
  { table: 'tickets', name: 'tickets_reply_by', fields: ['reply_by'] },
  { table: 'tickets', name: 'tickets_created_at_category_id', fields: ['created_at', 'category_id'] },
];

export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  for (const index of INDEXES) await qi.addIndex(index.table, index.fields, { name: index.name });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  for (const index of [...INDEXES].reverse()) await qi.removeIndex(index.table, index.name);
}
