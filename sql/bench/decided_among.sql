-- bench-routing --follow: which of the signals $1 have their decision committed (a history row
-- visible to this client).
SELECT h.signal_id
FROM venue_routing_history AS h
WHERE h.signal_id = ANY ($1::uuid[])
