-- Counts pending MULTI signals on Maxxit's schema (only agent $1's when $1 is
-- not NULL), with the pending rule of maxxit/claim_pending.sql.
SELECT count(*) AS pending
FROM signals AS s
WHERE s.venue = 'MULTI'
  AND s.skipped_reason IS NULL
  AND (s.trade_executed IS NULL OR s.trade_executed = 'AWAITING_ROUTE') -- untaken, or held for routing (#20)
  AND s.executor_agreement_error IS NULL
  AND s.llm_should_trade IS DISTINCT FROM false -- declined by Maxxit's own decision (#25)
  AND NOT EXISTS (SELECT 1 FROM positions AS p WHERE p.signal_id = s.id)
  AND ($1::uuid IS NULL OR s.agent_id = $1::uuid)
