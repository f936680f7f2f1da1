-- Benchmark "reference" (per-signal, as the original): one history row (a skip
-- records the venue it was asked for, MULTI, as routing does).
INSERT INTO venue_routing_history
    (signal_id, token_symbol, requested_venue, selected_venue, routing_reason, checked_venues,
     venue_availability, routing_duration_ms, outcome, strategy, config_source, market_symbol,
     routing_duration_us)
VALUES ($1, $2, 'MULTI', coalesce($3::text, 'MULTI')::venue_t, $4, $5, $6, $7, $8, 'FIRST_AVAILABLE', $9, $10, $11)
