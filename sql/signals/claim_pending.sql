-- Claims up to $2 pending MULTI signals, oldest first, for one routing batch
-- (only agent $1's when $1 is not NULL). Rows another runner holds are skipped,
-- and the WHERE clause is re-checked under the row lock, so no signal is
-- claimed twice; the locks last until the batch transaction ends.
-- Uses signals_multi_pending_idx. size_model is not fetched whole: only its
-- JSON type, its leverage, its type and value (the order's size), which is all
-- routing reads; llm_fund_allocation / llm_leverage are Maxxit's newer sizing
-- (columns V11 adds where missing). This schema has no deployments:
-- their columns are NULL (sql/maxxit/claim_pending.sql is the statement for
-- Maxxit's schema).
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
       NULL::uuid AS deployment_id,
       NULL::text AS deployment_status,
       NULL::text[] AS enabled_venues
FROM signals AS s
WHERE s.venue = 'MULTI'
  AND s.skipped_reason IS NULL
  AND ($1::uuid IS NULL OR s.agent_id = $1::uuid)
ORDER BY s.created_at, s.id
LIMIT $2
FOR UPDATE SKIP LOCKED
