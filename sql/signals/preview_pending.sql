-- Reads up to $2 pending MULTI signals after the keyset position ($3, $4),
-- oldest first, without locking them (for --dry-run, which writes nothing).
-- Only agent $1's when $1 is not NULL. Same columns as claim_pending.sql.
SELECT s.id,
       s.agent_id,
       s.token_symbol,
       s.side,
       jsonb_typeof(s.size_model) AS size_model_type,
       s.size_model -> 'leverage' AS leverage,
       s.created_at,
       NULL::uuid AS deployment_id,
       NULL::text AS deployment_status,
       NULL::text[] AS enabled_venues
FROM signals AS s
WHERE s.venue = 'MULTI'
  AND s.skipped_reason IS NULL
  AND ($1::uuid IS NULL OR s.agent_id = $1::uuid)
  AND (s.created_at, s.id) > ($3::timestamptz, $4::uuid)
ORDER BY s.created_at, s.id
LIMIT $2
