-- Per unit of the survey event: 满意, 基本满意, 不满意, 已解决.
-- Generated from src/db/report-queries.ts (npm run sql; test/db/reports.test.ts fails when this file drifts).
SELECT s.unit_id AS unit_id, SUM(CASE WHEN s.data LIKE :satisfied THEN 1 ELSE 0 END) AS satisfied,
  SUM(CASE WHEN s.data LIKE :basically THEN 1 ELSE 0 END) AS basically,
  SUM(CASE WHEN s.data LIKE :unsatisfied THEN 1 ELSE 0 END) AS unsatisfied,
  SUM(CASE WHEN s.data LIKE :resolved AND (s.data LIKE :satisfied OR s.data LIKE :basically OR s.data LIKE :unsatisfied) THEN 1 ELSE 0 END) AS resolved
FROM ticket_events s
JOIN (
  SELECT l.ticket_id, MAX(l.id) AS id FROM ticket_events l
  WHERE l.type = 'surveyed' AND l.at >= :from AND l.at < :to
  GROUP BY l.ticket_id
) last_survey ON last_survey.id = s.id
GROUP BY s.unit_id;
