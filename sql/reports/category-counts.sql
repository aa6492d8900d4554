-- Orders received in the period per category (run for the previous period too: 热点 rising).
-- Generated from src/db/report-queries.ts (npm run sql; test/db/reports.test.ts fails when this file drifts).
SELECT t.category_id AS category_id, COUNT(*) AS n FROM tickets t
WHERE t.created_at >= :from AND t.created_at < :to
GROUP BY t.category_id;
