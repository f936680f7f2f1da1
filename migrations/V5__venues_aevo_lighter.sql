-- Agent Where, migration 5: the venues Aevo and Lighter, and a skip-reason rule
-- that follows `venue_t` instead of listing its labels.
--
-- Purely additive, on an empty database and on a Maxxit one alike: `ADD VALUE IF
-- NOT EXISTS` appends each label once (GMX is a Maxxit label already). refinery
-- runs this file in one transaction; PostgreSQL forbids *using* a value in the
-- transaction that added it, and nothing below does: the view only names
-- `enum_range(NULL::venue_t)`, which is evaluated when the view is read, after
-- this transaction committed. Rows for the new venues are written by their syncs,
-- in later transactions.

ALTER TYPE venue_t ADD VALUE IF NOT EXISTS 'AEVO';
ALTER TYPE venue_t ADD VALUE IF NOT EXISTS 'LIGHTER';

-- The view of V3, unchanged but for one rule: a routing_reason that starts with a
-- venue label (the original system's reasons do) is no skip reason code. V3
-- listed the labels of its day; the list now comes from the enum, so a venue added
-- later is covered without another migration.
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
            CASE WHEN c.history_code <> ALL (enum_range(NULL::venue_t)::text[]) THEN c.history_code END,
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
