-- Per unit holding the order: 办结量, 一次办结.
-- Generated from src/db/report-queries.ts (npm run sql; test/db/reports.test.ts fails when this file drifts).
SELECT (SELECT t.current_unit_id FROM tickets t WHERE t.id = f.ticket_id) AS unit_id, COUNT(*) AS closed,
  SUM(CASE WHEN f.returned_n = 0 AND f.reopened_n = 0 AND f.duplicate_n = 0 THEN 1 ELSE 0 END) AS closed_first_time
FROM (
  SELECT e.ticket_id,
    MAX(CASE WHEN e.type = 'closed' THEN e.id END) AS last_closed_id,
    MAX(CASE WHEN e.type = 'closed' THEN e.at END) AS last_closed_at,
    MAX(CASE WHEN e.type = 'reopened' THEN e.id END) AS last_reopened_id,
    SUM(CASE WHEN e.type = 'returned' THEN 1 ELSE 0 END) AS returned_n,
    SUM(CASE WHEN e.type = 'reopened' THEN 1 ELSE 0 END) AS reopened_n,
    SUM(CASE WHEN e.type = 'linked-duplicate' THEN 1 ELSE 0 END) AS duplicate_n
  FROM ticket_events e
  WHERE e.type IN ('closed', 'reopened', 'returned', 'linked-duplicate')
    AND e.ticket_id IN (SELECT c.ticket_id FROM ticket_events c WHERE c.type = 'closed' AND c.at >= :from AND c.at < :to)
  GROUP BY e.ticket_id
) f
WHERE f.last_closed_at >= :from AND f.last_closed_at < :to AND (f.last_closed_id IS NOT NULL AND (f.last_reopened_id IS NULL OR f.last_reopened_id < f.last_closed_id))
GROUP BY unit_id;
