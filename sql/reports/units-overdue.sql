-- Per unit: open orders red at :now.
-- Generated from src/db/report-queries.ts (npm run sql; test/db/reports.test.ts fails when this file drifts).
SELECT r.unit_id AS unit_id, COUNT(*) AS overdue FROM (
  SELECT t.current_unit_id AS unit_id FROM tickets t WHERE t.state = 'dispatched' AND t.sign_by < :now AND t.current_unit_id IS NOT NULL
  UNION ALL
  SELECT t.current_unit_id AS unit_id FROM tickets t WHERE t.state IN ('signed', 'in-progress') AND t.reply_by < :now AND t.current_unit_id IS NOT NULL
) r
GROUP BY r.unit_id;
