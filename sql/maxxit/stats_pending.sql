-- Pending MULTI signals on Maxxit's schema (the pending rule of
-- maxxit/claim_pending.sql): how many, and the oldest one's age in seconds;
-- and of them the ones held for routing (the hold mark AWAITING_ROUTE).
SELECT
    count(*) AS pending,
    min(s.created_at) AS oldest_at,
    extract(epoch FROM now() - min(s.created_at))::float8 AS oldest_age_seconds,
    -- held for routing by the hold trigger (#20): Maxxit's executor waits for them
    count(*) FILTER (WHERE s.trade_executed = 'AWAITING_ROUTE') AS held,
    extract(epoch FROM now() - min(s.created_at) FILTER (WHERE s.trade_executed = 'AWAITING_ROUTE'))::float8
        AS oldest_held_age_seconds
FROM signals AS s
WHERE s.venue = 'MULTI'
  AND s.skipped_reason IS NULL
  AND (s.trade_executed IS NULL OR s.trade_executed = 'AWAITING_ROUTE') -- untaken, or held for routing (#20)
  AND s.executor_agreement_error IS NULL
  AND s.llm_should_trade IS DISTINCT FROM false -- declined by Maxxit's own decision (#25)
  AND NOT EXISTS (SELECT 1 FROM positions AS p WHERE p.signal_id = s.id)
