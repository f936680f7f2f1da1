-- Signals Maxxit's executor executed as MULTI, i.e. before or without a
-- routing decision (it runs a MULTI signal on Ostium): still MULTI with an
-- execution (trade_executed SUCCESS or a position), or with a position
-- recorded for venue MULTI. Created in the window ($1 since inclusive, $2
-- until exclusive, NULL = unbounded). Agent Where's own marks are never an
-- execution here: the skip mark (FAILED, or SKIPPED of earlier versions) and
-- the hold mark AWAITING_ROUTE; only SUCCESS or a position counts.
SELECT count(*) AS executed, min(s.created_at) AS oldest_at
FROM signals AS s
WHERE ($1::timestamptz IS NULL OR s.created_at >= $1::timestamptz)
  AND ($2::timestamptz IS NULL OR s.created_at < $2::timestamptz)
  AND (
      (s.venue = 'MULTI'
       AND (s.trade_executed = 'SUCCESS' OR EXISTS (SELECT 1 FROM positions AS p WHERE p.signal_id = s.id)))
      OR EXISTS (SELECT 1 FROM positions AS p WHERE p.signal_id = s.id AND p.venue = 'MULTI')
  )
