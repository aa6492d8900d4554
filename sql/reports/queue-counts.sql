-- 接通率, 15秒接通率, 放弃率, ASA, AHT: calls whose first `entered` queue event is in the period.
-- Generated from src/db/report-queries.ts (npm run sql; test/db/reports.test.ts fails when this file drifts).
SELECT m.offered, m.answered, m.answered_within_sl, m.abandoned, m.short_abandons, m.wait_sum_ms, h.handled, h.handle_sum_ms
FROM (
  SELECT SUM(CASE WHEN q.event = 'entered' THEN 1 WHEN q.event = 'overflow' THEN -1 ELSE 0 END) AS offered,
    SUM(CASE WHEN q.event = 'answered' THEN 1 ELSE 0 END) AS answered,
    SUM(CASE WHEN q.event = 'answered' AND COALESCE(q.wait_ms, 0) <= :slMs THEN 1 ELSE 0 END) AS answered_within_sl,
    SUM(CASE WHEN q.event = 'abandoned' THEN 1 ELSE 0 END) AS abandoned,
    SUM(CASE WHEN q.event = 'abandoned' AND COALESCE(q.wait_ms, 0) < :minAbandonMs THEN 1 ELSE 0 END) AS short_abandons,
    SUM(CASE WHEN q.event = 'answered' THEN COALESCE(q.wait_ms, 0) END) AS wait_sum_ms
  FROM queue_events q
  WHERE q.at >= :from AND q.at < :scanTo AND q.event IN ('entered', 'overflow', 'answered', 'abandoned')
    AND q.at - INTERVAL COALESCE(q.wait_ms, 0) * 1000 MICROSECOND >= :from AND q.at - INTERVAL COALESCE(q.wait_ms, 0) * 1000 MICROSECOND < :to
) m
CROSS JOIN (
  SELECT COUNT(*) AS handled, SUM(TIMESTAMPDIFF(MICROSECOND, a.at, w.at) DIV 1000) AS handle_sum_ms
  FROM queue_events w
  JOIN queue_events a ON a.call_id = w.call_id AND a.event = 'answered' AND a.at >= :from AND a.at < :scanTo
  WHERE w.event = 'wrap-up-ended' AND w.at >= :from AND w.at < :scanTo
    AND a.at - INTERVAL COALESCE(a.wait_ms, 0) * 1000 MICROSECOND >= :from AND a.at - INTERVAL COALESCE(a.wait_ms, 0) * 1000 MICROSECOND < :to
) h;
