-- Per unit: open orders red at :now.
-- Generated from src/db/report-queries.ts (npm run sql; test/db/reports.test.ts fails when this file drifts).
SELECT t.current_unit_id AS unit_id, COUNT(*) AS overdue FROM tickets t
WHERE t.current_unit_id IS NOT NULL
  AND ((t.state = 'dispatched' AND t.sign_by < :now) OR (t.state IN ('signed', 'in-progress') AND t.reply_by < :now))
GROUP BY t.current_unit_id;
