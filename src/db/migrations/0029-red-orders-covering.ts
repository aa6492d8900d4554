import type { QueryInterface } from 'sequelize';

/**
 * tickets (state, sign_by, current_unit_id) and (state, reply_by, current_unit_id) in place of
 * (state, sign_by) and (state, reply_by) (0006; the new ones serve every query those served, as
 * their prefix): 红灯 per unit (db/report-queries.ts OVERDUE_BY_UNIT_SQL, a UNION ALL of the two
 * ranges) is then read from the indexes alone. Before, MariaDB merged the two indexes and fetched
 * every red order's row for its unit: the units report's first call read 424 pages at 1M orders
 * (docs/bench-reports.md), a cost growing with the open orders.
 */
const REPLACED = [
  { old: 'tickets_state_sign_by', name: 'tickets_state_sign_by_unit', fields: ['state', 'sign_by', 'current_unit_id'], oldFields: ['state', 'sign_by'] },
  { old: 'tickets_state_reply_by', name: 'tickets_state_reply_by_unit', fields: ['state', 'reply_by', 'current_unit_id'], oldFields: ['state', 'reply_by'] },
] as const;

export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  for (const i of REPLACED) {
    await qi.addIndex('tickets', [...i.fields], { name: i.name });
    await qi.removeIndex('tickets', i.old);
  }
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  for (const i of REPLACED) {
    await qi.addIndex('tickets', [...i.oldFields], { name: i.old });
    await qi.removeIndex('tickets', i.name);
  }
}
