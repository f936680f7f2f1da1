-- Pending MULTI signals on Maxxit's schema (the pending rule of
-- maxxit/claim_pending.sql): how many, and the oldest one's age in seconds.
SELECT
    count(*) AS pending,
    min(s.created_at) AS oldest_at,
    extract(epoch FROM now() - min(s.created_at))::float8 AS oldest_age_seconds
FROM signals AS s
WHERE s.venue = 'MULTI'
  AND s.skipped_reason IS NULL
  AND s.trade_executed IS NULL
  AND s.executor_agreement_error IS NULL
  AND s.llm_should_trade IS DISTINCT FROM false -- declined by Maxxit's own decision (#25)
  AND NOT EXISTS (SELECT 1 FROM positions AS p WHERE p.signal_id = s.id)
