-- bench-routing --follow: how many of the signals $1 have their decision committed.
SELECT count(*) AS decided
FROM venue_routing_history AS h
WHERE h.signal_id = ANY ($1::uuid[])
