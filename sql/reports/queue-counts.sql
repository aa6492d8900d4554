-- 接通率, 15秒接通率, 放弃率, ASA, AHT: calls whose first `entered` queue event is in the period.
-- Generated from src/db/report-queries.ts (test/db/reports.test.ts fails when this file drifts).
SELECT COUNT(*) AS offered,
  SUM(CASE WHEN c.answer_wait_ms IS NULL THEN 0 ELSE 1 END) AS answered,
  SUM(c.within_sl) AS answered_within_sl,
  SUM(CASE WHEN c.abandon_wait_ms IS NULL THEN 0 ELSE 1 END) AS abandoned,
  SUM(CASE WHEN c.abandon_wait_ms < :minAbandonMs THEN 1 ELSE 0 END) AS short_abandons,
  SUM(c.answer_wait_ms) AS wait_sum_ms,
  SUM(CASE WHEN c.answer_wait_ms IS NOT NULL AND c.wrap_up_ended_at IS NOT NULL THEN 1 ELSE 0 END) AS handled,
  SUM(CASE WHEN c.answer_wait_ms IS NOT NULL AND c.wrap_up_ended_at IS NOT NULL THEN TIMESTAMPDIFF(MICROSECOND, c.answered_at, c.wrap_up_ended_at) DIV 1000 ELSE 0 END) AS handle_sum_ms
FROM (
  SELECT q.call_id,
    MIN(CASE WHEN q.event = 'entered' THEN q.at END) AS entered_at,
    MIN(CASE WHEN q.event = 'answered' THEN COALESCE(q.wait_ms, 0) END) AS answer_wait_ms,
    MAX(CASE WHEN q.event = 'answered' AND COALESCE(q.wait_ms, 0) <= :slMs THEN 1 ELSE 0 END) AS within_sl,
    MIN(CASE WHEN q.event = 'answered' THEN q.at END) AS answered_at,
    MAX(CASE WHEN q.event = 'abandoned' THEN COALESCE(q.wait_ms, 0) END) AS abandon_wait_ms,
    MAX(CASE WHEN q.event = 'wrap-up-ended' THEN q.at END) AS wrap_up_ended_at
  FROM queue_events q
  WHERE q.at >= :scanFrom AND q.at < :scanTo
  GROUP BY q.call_id
) c
WHERE c.entered_at >= :from AND c.entered_at < :to;
