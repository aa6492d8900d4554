-- 受理量: orders created in the period.
-- Generated from src/db/report-queries.ts (npm run sql; test/db/reports.test.ts fails when this file drifts).
SELECT COUNT(*) AS received FROM tickets t WHERE t.created_at >= :from AND t.created_at < :to;
