-- Agent Where, migration 7: compatibility with Maxxit's own schema model.
--
-- Maxxit's Prisma model declares `venue_routing_history.selected_venue` NOT
-- NULL; migration 2 relaxed it so that skipped decisions could be audited,
-- which makes Maxxit's next `prisma db push` refuse to run (or propose a
-- reset). A skipped decision now records the venue it was asked for, MULTI
-- (its `outcome` says SKIPPED), so the column is NOT NULL again, as on
-- Maxxit's schema: earlier skipped rows get MULTI, nothing else changes.
-- The view `routing_decisions` keeps showing no venue for a skipped decision,
-- and reads the venue labels from `venue_t` itself, so a new venue needs no
-- change here.
--
-- Re-runnable: setup re-applies migrations to repair objects another tool removed.

UPDATE venue_routing_history SET selected_venue = 'MULTI' WHERE selected_venue IS NULL;

ALTER TABLE venue_routing_history ALTER COLUMN selected_venue SET NOT NULL;

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
    h.venue_availability
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
