-- Selects no rows: its result columns give the types of the columns
-- copy_history.sql writes (venue_t's OID differs between databases).
SELECT h.signal_id, h.token_symbol, h.requested_venue, h.selected_venue, h.routing_reason,
       h.checked_venues, h.venue_availability, h.routing_duration_ms, h.routing_duration_us,
       h.outcome, h.strategy, h.config_source, h.market_symbol, h.run_id, h.requested_token
FROM venue_routing_history AS h
WHERE false
