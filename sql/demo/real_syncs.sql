-- Venues with a successful sync that did not read the data built into the binary (a live API
-- or files). Read before setup migrates, so it works without `venue_sync_runs.built_in` too
-- (before migration 15 built-in runs were told by their `source` label, as that migration
-- marks them).
SELECT DISTINCT r.venue::text AS venue
FROM venue_sync_runs AS r
WHERE r.status = 'SUCCEEDED'
  AND NOT coalesce(
      (to_jsonb(r) ->> 'built_in')::boolean,
      r.source LIKE '%, built in' OR r.source = 'recorded responses'
  )
ORDER BY 1
