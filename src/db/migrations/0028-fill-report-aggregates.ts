import type { QueryInterface } from 'sequelize';
import { ReportAggregateRebuild } from '../report-aggregate-rebuild.js';
import { DEFAULT_REPORT_TIME_ZONE, ReportAggregates } from '../report-aggregates.js';

/**
 * Fills report_order_days and report_queue_days (0026, 0027) from the history already stored, with the
 * rebuild the command and the nightly reconciliation use, so an upgraded database reports from its
 * aggregates at once. Local days of Asia/Shanghai (config TZ's default; a migration has no config):
 * a centre in another zone runs `npm run report-aggregates -- --all` once after upgrading.
 */
export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  const rebuild = new ReportAggregateRebuild(qi.sequelize, new ReportAggregates(qi.sequelize, DEFAULT_REPORT_TIME_ZONE));
  const range = await rebuild.fullRange();
  if (range !== undefined) await rebuild.rebuild(range, { all: true });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.sequelize.query('DELETE FROM report_order_days');
  await qi.sequelize.query('DELETE FROM report_queue_days');
}
