-- MULTI signals Maxxit's own trade decision declined (llm_should_trade =
-- false), created in the window ($1 since inclusive, $2 until exclusive, NULL
-- = unbounded): never pending, never routed or marked (issue 25); counted
-- apart, for information only.
SELECT count(*) AS declined
FROM signals AS s
WHERE s.venue = 'MULTI'
  AND s.llm_should_trade = false
  AND ($1::timestamptz IS NULL OR s.created_at >= $1::timestamptz)
  AND ($2::timestamptz IS NULL OR s.created_at < $2::timestamptz)
