-- One `agent_routing_history` row per decision of a batch (Maxxit's dashboard
-- reads this table): the venues asked for and checked, comma-joined (venue
-- labels hold no comma), the chosen venue (NULL when skipped), the reason,
-- the availability JSON and the decision time. id and created_at take their
-- defaults.
INSERT INTO agent_routing_history (
    signal_id, requested_venues, selected_venue, routing_reason, checked_venues,
    venue_availability, routing_duration_ms
)
SELECT d.signal_id,
       string_to_array(d.requested, ','),
       d.selected::venue_t,
       d.reason,
       string_to_array(d.checked, ','),
       d.availability::jsonb,
       d.duration_ms
FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::int4[])
    AS d (signal_id, requested, selected, reason, checked, availability, duration_ms)
