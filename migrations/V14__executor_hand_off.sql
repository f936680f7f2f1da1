-- Agent Where, migration 14: "routed" means the host's executor can trade it
-- (issue 22). Purely additive: two nullable columns and the view
-- `routing_decisions` with one column appended. Re-runnable: setup re-applies
-- migrations to repair objects another tool removed.
--
-- A routed signal's token_symbol becomes the symbol the host's executor
-- resolves to exactly the chosen market (Maxxit: `kPEPE`, `XAU`, `JPY`); the
-- token as the agent wrote it is kept here, beside the canonical symbol
-- (token_symbol) and the venue's market (market_symbol).
ALTER TABLE venue_routing_history
    ADD COLUMN IF NOT EXISTS requested_token text;

-- The operator's explicit allowance to route to venues the host's executor
-- does not run (Maxxit's: GMX, AEVO, LIGHTER): `routing-config set
-- --allow-venues-without-executor`. NULL or false: such a venue is
-- NO_EXECUTOR for signals this row configures.
ALTER TABLE venue_routing_config
    ADD COLUMN IF NOT EXISTS allow_venues_without_executor boolean;

-- As migration 12's view (decided_at, decision_latency_seconds), with
-- requested_token appended (a view's columns may only be added at the end).
CREATE OR REPLACE VIEW routing_decisions AS
SELECT
    h.id,
    h.created_at,
    h.signal_id,
    s.agent_id,
    h.token_symbol,
    h.market_symbol,
    d.routed,
    CASE WHEN d.routed THEN h.selected_venue::text END AS selected_venue,
    CASE WHEN d.routed THEN NULL
        ELSE COALESCE(
            c.signal_code,
            CASE WHEN c.history_code NOT IN (SELECT unnest(enum_range(NULL::venue_t))::text)
                 THEN c.history_code END,
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
    h.venue_availability,
    h.decided_at,
    extract(epoch FROM h.decided_at - s.created_at)::float8 AS decision_latency_seconds,
    h.requested_token
FROM venue_routing_history AS h
JOIN signals AS s ON s.id = h.signal_id
CROSS JOIN LATERAL (
    SELECT (h.outcome = 'ROUTED'
            OR (h.outcome IS NULL AND h.selected_venue IS NOT NULL AND h.selected_venue <> 'MULTI')) AS routed
) AS d
CROSS JOIN LATERAL (
    SELECT
        substring(s.skipped_reason FROM '^([A-Z][A-Z0-9_]*)(:|$)') AS signal_code,
        substring(h.routing_reason FROM '^([A-Z][A-Z0-9_]*):') AS history_code
) AS c;
