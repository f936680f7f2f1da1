-- Routing decisions of the window ($1 since inclusive, $2 until exclusive,
-- NULL = unbounded) that sent a signal to a venue the host's executor does
-- not run ($3: the venues it runs; issue 22): signals it fails ("Venue …
-- not supported yet") unless another executor trades them.
SELECT count(*) AS routed, min(h.created_at) AS oldest_at
FROM venue_routing_history AS h
WHERE h.outcome = 'ROUTED'
  AND h.selected_venue::text <> ALL ($3::text[])
  AND ($1::timestamptz IS NULL OR h.created_at >= $1::timestamptz)
  AND ($2::timestamptz IS NULL OR h.created_at < $2::timestamptz)
