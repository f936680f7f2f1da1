-- Agent Where, migration 12: deciding signals as they arrive
-- (route-pending-signals --follow) and measuring how long they waited
-- (issue 20). Purely additive. Re-runnable: setup re-applies migrations to
-- repair objects another tool removed.
--
-- decided_at: the database clock when a decision was written
-- (clock_timestamp() of the history row's insert, not the batch's start).
-- Added without a default first, so rows written before this migration keep
-- NULL (their time of decision is unknown) and the table is not rewritten;
-- the default then applies to every new row, whether routing writes it by
-- COPY or by INSERT.
ALTER TABLE venue_routing_history ADD COLUMN IF NOT EXISTS decided_at timestamptz;
ALTER TABLE venue_routing_history ALTER COLUMN decided_at SET DEFAULT clock_timestamp();

-- Latency reports read the recent decisions by decision time.
CREATE INDEX IF NOT EXISTS venue_routing_history_decided_at_idx
    ON venue_routing_history (decided_at);

-- The wake-up of a following router: every inserted or updated row of
-- `signals` that is a MULTI signal without a skip reason (a superset of
-- pending, whatever else pending requires on the host) notifies the channel
-- `agent_where_pending`. A follower LISTENs on it where its connection
-- allows (not through a transaction pooler) and polls besides. Identical
-- notifications of one transaction are delivered once, so a burst of
-- 10 000 rows in one statement wakes a follower once. The payload is empty:
-- the follower claims with its own statement, so a notification is only a
-- hint and a lost one costs at most a poll interval.
CREATE OR REPLACE FUNCTION agent_where_notify_pending() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('agent_where_pending', '');
    RETURN NULL;
END
$$;

DROP TRIGGER IF EXISTS signals_pending_notify ON signals;
CREATE TRIGGER signals_pending_notify
    AFTER INSERT OR UPDATE ON signals
    FOR EACH ROW
    WHEN (NEW.venue = 'MULTI' AND NEW.skipped_reason IS NULL)
    EXECUTE FUNCTION agent_where_notify_pending();

-- routing_decisions gains the time of decision and the signal's wait
-- (decided_at − signals.created_at, seconds; NULL for rows written before
-- this migration). Columns are only appended, so readers of the view keep
-- working.
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
    extract(epoch FROM h.decided_at - s.created_at)::float8 AS decision_latency_seconds
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
