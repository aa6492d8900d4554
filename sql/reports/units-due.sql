-- Per unit holding the order: 应办结, 办结, 按期办结.
-- Generated from src/db/report-queries.ts (npm run sql; test/db/reports.test.ts fails when this file drifts).
SELECT t.current_unit_id AS unit_id, COUNT(*) AS due,
  SUM(CASE WHEN (f.last_closed_id IS NOT NULL AND (f.last_reopened_id IS NULL OR f.last_reopened_id < f.last_closed_id)) THEN 1 ELSE 0 END) AS due_closed,
  SUM(CASE WHEN (f.last_closed_id IS NOT NULL AND (f.last_reopened_id IS NULL OR f.last_reopened_id < f.last_closed_id)) AND f.last_closed_at <= t.reply_by THEN 1 ELSE 0 END) AS closed_on_time
FROM tickets t
LEFT JOIN (
  SELECT e.ticket_id,
    MAX(CASE WHEN e.type = 'closed' THEN e.id END) AS last_closed_id,
    MAX(CASE WHEN e.type = 'closed' THEN e.at END) AS last_closed_at,
    MAX(CASE WHEN e.type = 'reopened' THEN e.id END) AS last_reopened_id
  FROM ticket_events e
  WHERE e.type IN ('closed', 'reopened') AND e.ticket_id IN (SELECT d.id FROM tickets d WHERE d.reply_by >= :from AND d.reply_by < :to)
  GROUP BY e.ticket_id
) f ON f.ticket_id = t.id
WHERE t.reply_by >= :from AND t.reply_by < :to
GROUP BY t.current_unit_id;
