-- Binary COPY of a batch's venue_routing_history rows (one per decision);
-- id, created_at and decided_at take their defaults (decided_at: clock_timestamp(),
-- the database clock as each row is written).
COPY venue_routing_history (
    signal_id, token_symbol, requested_venue, selected_venue, routing_reason,
    checked_venues, venue_availability, routing_duration_ms, routing_duration_us,
    outcome, strategy, config_source, market_symbol, run_id, requested_token
) FROM STDIN (FORMAT binary)
