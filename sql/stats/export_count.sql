-- How many history rows `export` writes for a window and filters (same parameters as export.sql).
SELECT count(*) AS decisions
FROM venue_routing_history h
JOIN signals s ON s.id = h.signal_id
WHERE ($1::timestamptz IS NULL OR h.created_at >= $1::timestamptz)
  AND ($2::timestamptz IS NULL OR h.created_at < $2::timestamptz)
  AND ($3::text IS NULL OR upper(h.token_symbol) = upper($3::text) OR upper(h.market_symbol) = upper($3::text)
       OR upper(h.requested_token) = upper($3::text))
  AND ($4::uuid IS NULL OR s.agent_id = $4::uuid)
  AND ($5::text IS NULL OR h.selected_venue::text = $5::text OR $5::text = ANY (h.checked_venues))
