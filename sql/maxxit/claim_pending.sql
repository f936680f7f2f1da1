-- Claims up to $2 pending MULTI signals on Maxxit's schema, oldest first, for
-- one routing batch (only agent $1's when $1 is not NULL), with the signal's
-- deployment. Pending there also means not taken by Maxxit's executor: no
-- trade_executed (SUCCESS or FAILED by the executor; FAILED, or SKIPPED of
-- earlier versions, as Agent Where's skip mark; the hold mark AWAITING_ROUTE
-- of `setup-agent-where --hold-multi on` is not taken, it waits for routing), no executor
-- error (it tried and may retry), no position; and not declined by Maxxit's
-- own trade decision (llm_should_trade = false: it can never trade, so it is
-- never claimed, changed or expired; NULL, written by the Telegram and
-- research paths, stays pending). Rows another runner holds are
-- skipped and the WHERE clause is re-checked under the row lock (which also
-- blocks the executor from writing a position for it until the batch ends).
-- Same columns as claim_pending.sql, plus the deployment's.
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
ORDER BY s.created_at, s.id
LIMIT $2
FOR UPDATE OF s SKIP LOCKED
