-- Reads up to $2 pending MULTI signals on Maxxit's schema after the keyset
-- position ($3, $4), oldest first, without locking them (for --dry-run).
-- Only agent $1's when $1 is not NULL. Same columns and pending rule as
-- maxxit/claim_pending.sql.
SELECT s.id,
       s.agent_id,
       s.token_symbol,
       s.side,
       jsonb_typeof(s.size_model) AS size_model_type,
       s.size_model -> 'leverage' AS leverage,
       s.size_model ->> 'type' AS size_type,
       s.size_model -> 'value' AS size_value,
       s.llm_fund_allocation,
       s.llm_leverage,
       s.created_at,
       s.deployment_id,
       d.status::text AS deployment_status,
       d.enabled_venues
FROM signals AS s
LEFT JOIN agent_deployments AS d ON d.id = s.deployment_id
WHERE s.venue = 'MULTI'
  AND s.skipped_reason IS NULL
  AND (s.trade_executed IS NULL OR s.trade_executed = 'AWAITING_ROUTE') -- untaken, or held for routing (#20)
  AND s.executor_agreement_error IS NULL
  AND s.llm_should_trade IS DISTINCT FROM false -- declined by Maxxit's own decision (#25)
  AND NOT EXISTS (SELECT 1 FROM positions AS p WHERE p.signal_id = s.id)
  AND ($1::uuid IS NULL OR s.agent_id = $1::uuid)
  AND (s.created_at, s.id) > ($3::timestamptz, $4::uuid)
ORDER BY s.created_at, s.id
LIMIT $2
