-- Of the venues in $1 (in that order), those that were ever synced: a sync run
-- of any status, or stored markets.
SELECT v.venue
FROM unnest($1::text[]) WITH ORDINALITY AS v (venue, ord)
WHERE EXISTS (SELECT 1 FROM venue_sync_runs AS r WHERE r.venue = v.venue::venue_t)
   OR EXISTS (SELECT 1 FROM venue_markets AS m WHERE m.venue = v.venue::venue_t)
ORDER BY v.ord
