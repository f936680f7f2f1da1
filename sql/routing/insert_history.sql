-- Inserts a batch's venue_routing_history rows (one per decision) from
-- parallel arrays, all of run $12; checked_venues arrive comma-joined.
-- (The alternative to copy_history.sql; see db/routing.rs for which is used.)
INSERT INTO venue_routing_history (
    signal_id, token_symbol, requested_venue, selected_venue, routing_reason,
    checked_venues, venue_availability, routing_duration_ms, routing_duration_us,
    outcome, strategy, config_source, market_symbol, run_id
)
SELECT d.signal_id, d.token_symbol, 'MULTI', d.selected_venue::venue_t, d.routing_reason,
       string_to_array(d.checked_venues, ','), d.venue_availability::jsonb,
       ((d.duration_us + 500) / 1000)::integer, d.duration_us,
       d.outcome, d.strategy, d.config_source, d.market_symbol, $12::uuid
FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
            $7::bigint[], $8::text[], $9::text[], $10::text[], $11::text[])
     AS d (signal_id, token_symbol, selected_venue, routing_reason, checked_venues,
           venue_availability, duration_us, outcome, strategy, config_source, market_symbol)
