-- Per unit: 退单 events in the period.
-- Generated from src/db/report-queries.ts (npm run sql; test/db/reports.test.ts fails when this file drifts).
SELECT e.unit_id AS unit_id, COUNT(*) AS returned FROM ticket_events e
WHERE e.type = 'returned' AND e.at >= :from AND e.at < :to AND e.unit_id IS NOT NULL
GROUP BY e.unit_id;
