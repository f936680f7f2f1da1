-- Agent Where, migration 3: the view `routing_decisions`, one row per
-- `venue_routing_history` row with its agent, outcome and skip reason code
-- derived in one place (routing-stats reads it; so can people with psql).
--
-- A decision is routed when outcome = 'ROUTED', or when outcome is NULL (rows of
-- the original system) and a venue was selected; every other decision is
-- skipped. The skip reason code is the leading upper-case word before ':' of the
-- signal's skipped_reason, else of the history row's routing_reason (unless it
-- names a venue, as the original system's reasons do), else 'UNKNOWN'.
-- Purely additive; the planner inlines the view, so filters on it use the
-- history indexes.

CREATE OR REPLACE VIEW routing_decisions AS
SELECT
    h.id,
    h.created_at,
    h.signal_id,
    s.agent_id,
    h.token_symbol,
    h.market_symbol,
    d.routed,
    h.selected_venue::text AS selected_venue,
    CASE WHEN d.routed THEN NULL
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
FROM venue_routing_history AS h
JOIN signals AS s ON s.id = h.signal_id
CROSS JOIN LATERAL (
    SELECT (h.outcome = 'ROUTED' OR (h.outcome IS NULL AND h.selected_venue IS NOT NULL)) AS routed
) AS d
CROSS JOIN LATERAL (
    SELECT
        substring(s.skipped_reason FROM '^([A-Z][A-Z0-9_]*)(:|$)') AS signal_code,
        substring(h.routing_reason FROM '^([A-Z][A-Z0-9_]*):') AS history_code
) AS c;
