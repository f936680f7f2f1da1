-- Every routing decision in a window, oldest first, with the derived outcome and skip
-- reason code (rules as in group_by.sql). $1 since, $2 until, $3 token, $4 agent, $5 venue.
SELECT
    h.id,
    h.created_at,
    h.signal_id,
    s.agent_id,
    h.token_symbol,
    h.market_symbol,
    CASE WHEN h.outcome = 'ROUTED' OR (h.outcome IS NULL AND h.selected_venue IS NOT NULL)
        THEN 'ROUTED' ELSE 'SKIPPED' END AS outcome,
    h.selected_venue::text AS selected_venue,
    CASE WHEN h.outcome = 'ROUTED' OR (h.outcome IS NULL AND h.selected_venue IS NOT NULL) THEN NULL
        ELSE COALESCE(
            c.signal_code,
            CASE WHEN c.history_code NOT IN ('HYPERLIQUID', 'OSTIUM', 'GMX', 'SPOT', 'MULTI') THEN c.history_code END,
            'UNKNOWN'
        ) END AS skip_reason,
    h.strategy,
    h.config_source,
    h.checked_venues,
    h.routing_duration_us,
    h.routing_duration_ms,
    h.run_id,
    h.outcome IS NULL AS original_system,
    h.routing_reason,
    h.venue_availability
FROM venue_routing_history h
JOIN signals s ON s.id = h.signal_id
CROSS JOIN LATERAL (
    SELECT
        substring(s.skipped_reason FROM '^([A-Z][A-Z0-9_]*)(:|$)') AS signal_code,
        substring(h.routing_reason FROM '^([A-Z][A-Z0-9_]*):') AS history_code
) c
WHERE ($1::timestamptz IS NULL OR h.created_at >= $1::timestamptz)
  AND ($2::timestamptz IS NULL OR h.created_at < $2::timestamptz)
  AND ($3::text IS NULL OR upper(h.token_symbol) = upper($3::text) OR upper(h.market_symbol) = upper($3::text))
  AND ($4::uuid IS NULL OR s.agent_id = $4::uuid)
  AND ($5::text IS NULL OR h.selected_venue::text = $5::text OR $5::text = ANY (h.checked_venues))
ORDER BY h.created_at, h.id
