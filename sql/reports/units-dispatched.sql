-- Per unit dispatched to: 收到工单, 按时签收.
-- Generated from src/db/report-queries.ts (npm run sql; test/db/reports.test.ts fails when this file drifts).
SELECT f.unit_id AS unit_id, COUNT(*) AS dispatched,
  SUM(CASE WHEN f.dispatched_n > 1 THEN 1 ELSE 0 END) AS redispatched,
  SUM(CASE WHEN f.last_signed_at IS NOT NULL AND f.last_signed_at <= t.sign_by THEN 1 ELSE 0 END) AS responded_on_time
FROM (
  SELECT e.ticket_id, e.unit_id,
    SUM(CASE WHEN e.type = 'dispatched' THEN 1 ELSE 0 END) AS dispatched_n,
    MAX(CASE WHEN e.type = 'signed' THEN e.at END) AS last_signed_at
  FROM ticket_events e
  WHERE e.type IN ('dispatched', 'signed') AND e.ticket_id IN (SELECT d.ticket_id FROM ticket_events d WHERE d.type = 'dispatched' AND d.at >= :from AND d.at < :to)
  GROUP BY e.ticket_id, e.unit_id
  HAVING SUM(CASE WHEN e.type = 'dispatched' AND e.at >= :from AND e.at < :to THEN 1 ELSE 0 END) > 0
) f
JOIN tickets t ON t.id = f.ticket_id
GROUP BY f.unit_id;
