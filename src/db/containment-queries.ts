import { QueryTypes, type Sequelize } from 'sequelize';
import type { ContainmentQueries } from '../metrics/containment-reports.js';
import type { CategoryDirectCount } from '../metrics/direct-rate.js';
import type { IvrPathCount, SelfServiceCounts } from '../metrics/ivr-containment.js';
import type { CategoryRef, ReportPeriod } from '../metrics/report-queries.js';
import { toAppError } from '../shared/app-error.js';

/**
 * The IVR containment and 直办 reports' queries (metrics/containment-reports.ts) as aggregate SQL:
 * a row per distinct IVR path (a flow has few: its menus decide them), per category, or one row.
 * The same text on SQLite and MySQL/MariaDB (BOOLEAN is 0/1 on both).
 */
export const IVR_PATH_COUNTS_SQL = `SELECT c.ivr_path AS ivr_path, c.ivr_outcome AS ivr_outcome, c.ivr_self_served AS self_served, COUNT(*) AS n
FROM calls c
WHERE c.ivr_flow = :flow AND c.started_at >= :from AND c.started_at < :to AND c.direction = 'inbound'
GROUP BY c.ivr_path, c.ivr_outcome, c.ivr_self_served`;

export const SELF_SERVICE_COUNTS_SQL = `SELECT COUNT(*) AS entered,
  SUM(CASE WHEN c.ivr_self_served = 1 THEN 1 ELSE 0 END) AS self_served,
  SUM(CASE WHEN c.ivr_outcome = 'queue' THEN 1 ELSE 0 END) AS queued,
  SUM(CASE WHEN c.ivr_outcome = 'caller-hangup' THEN 1 ELSE 0 END) AS left_ivr
FROM calls c
WHERE c.started_at >= :from AND c.started_at < :to AND c.direction = 'inbound' AND c.ivr_flow IS NOT NULL`;

export const CATEGORY_DIRECT_COUNTS_SQL = `SELECT t.category_id AS category_id, COUNT(*) AS received,
  SUM(CASE WHEN t.answered_on_call = 1 THEN 1 ELSE 0 END) AS direct
FROM tickets t
WHERE t.created_at >= :from AND t.created_at < :to
GROUP BY t.category_id`;

type Row = Record<string, unknown>;

const num = (value: unknown): number => (value === null || value === undefined ? 0 : Number(value));
const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);

export class SequelizeContainmentQueries implements ContainmentQueries {
  constructor(private readonly sequelize: Sequelize) {}

  private async rows(sql: string, replacements: Record<string, unknown>): Promise<Row[]> {
    try {
      return await this.sequelize.query<Row>(sql, { type: QueryTypes.SELECT, replacements });
    } catch (err) {
      throw toAppError(err, 'DB_ERROR', 'report query failed');
    }
  }

  async ivrPathCounts(period: ReportPeriod, flow: string): Promise<IvrPathCount[]> {
    const rows = await this.rows(IVR_PATH_COUNTS_SQL, { ...period, flow });
    return rows.map((r) => ({
      path: text(r.ivr_path) ?? '',
      outcome: text(r.ivr_outcome),
      selfServed: num(r.self_served) === 1,
      calls: num(r.n),
    }));
  }

  async selfServiceCounts(period: ReportPeriod): Promise<SelfServiceCounts> {
    const [row] = await this.rows(SELF_SERVICE_COUNTS_SQL, { ...period });
    return { entered: num(row?.entered), selfServed: num(row?.self_served), queued: num(row?.queued), left: num(row?.left_ivr) };
  }

  async categoryDirectCounts(period: ReportPeriod): Promise<CategoryDirectCount[]> {
    const rows = await this.rows(CATEGORY_DIRECT_COUNTS_SQL, { ...period });
    return rows.map((r) => ({ categoryId: num(r.category_id), received: num(r.received), direct: num(r.direct) }));
  }

  async listCategories(): Promise<CategoryRef[]> {
    const rows = await this.rows('SELECT id, parent_id, code, name FROM categories', {});
    return rows.map((r) => ({ id: num(r.id), parentId: r.parent_id === null || r.parent_id === undefined ? null : num(r.parent_id), code: text(r.code) ?? '', name: text(r.name) ?? '' }));
  }
}
