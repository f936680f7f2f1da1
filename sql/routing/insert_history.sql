-- The batch's venue_routing_history rows (one per decision) as one INSERT … SELECT FROM unnest(…):
-- what routing writes instead of its binary COPY (copy_history.sql) through a transaction-mode
-- pooler, where COPY's prepared statement cannot be used. Arrays are parallel, one element per
-- decision; checked venues arrive comma-joined (venue names hold no comma); $13 is the run;
-- $14 the tokens as the agents wrote them. decided_at is the database clock as each row is
-- written (clock_timestamp(), as the column's default gives the COPY path), not the batch's start.
INSERT INTO venue_routing_history (
    signal_id, token_symbol, requested_venue, selected_venue, routing_reason,
    checked_venues, venue_availability, routing_duration_ms, routing_duration_us,
    outcome, strategy, config_source, market_symbol, run_id, decided_at, requested_token
)
SELECT d.signal_id, d.token_symbol, 'MULTI', d.selected_venue::venue_t, d.routing_reason,
       string_to_array(d.checked_venues, ','), d.venue_availability::jsonb, d.duration_ms,
       d.duration_us, d.outcome, d.strategy, d.config_source, d.market_symbol, $13::uuid,
       clock_timestamp(),
       d.requested_token
FROM unnest(
    $1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::int4[],
    $8::int8[], $9::text[], $10::text[], $11::text[], $12::text[], $14::text[]
) AS d (
    signal_id, token_symbol, selected_venue, routing_reason, checked_venues, venue_availability,
    duration_ms, duration_us, outcome, strategy, config_source, market_symbol, requested_token
)
