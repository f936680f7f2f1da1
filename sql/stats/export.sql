-- Every routing decision in a window, oldest first, with the derived outcome and skip
-- reason code (view `routing_decisions`, migration V3). $1 since, $2 until, $3 token,
-- $4 agent, $5 venue. decided_at and decision_latency_seconds since migration V12 (NULL before).
SELECT
    d.id,
    d.created_at,
    d.signal_id,
    d.agent_id,
    d.token_symbol,
    d.market_symbol,
    CASE WHEN d.routed THEN 'ROUTED' ELSE 'SKIPPED' END AS outcome,
    d.selected_venue,
    d.skip_reason,
    d.strategy,
    d.config_source,
    d.checked_venues,
    d.routing_duration_us,
    d.routing_duration_ms,
    d.run_id,
    d.original_system,
    d.routing_reason,
    d.venue_availability,
    d.decided_at,
    d.decision_latency_seconds,
    d.requested_token
FROM routing_decisions AS d
WHERE ($1::timestamptz IS NULL OR d.created_at >= $1::timestamptz)
  AND ($2::timestamptz IS NULL OR d.created_at < $2::timestamptz)
  AND ($3::text IS NULL OR upper(d.token_symbol) = upper($3::text) OR upper(d.market_symbol) = upper($3::text)
           OR upper(d.requested_token) = upper($3::text))
  AND ($4::uuid IS NULL OR d.agent_id = $4::uuid)
  AND ($5::text IS NULL OR d.selected_venue = $5::text OR $5::text = ANY (d.checked_venues))
ORDER BY d.created_at, d.id
