-- Runs left RUNNING that can no longer finish (for `health`): routing runs without a heartbeat
-- for more than $1 seconds (rows from before heartbeats: since their start) and sync runs
-- started more than $1 seconds ago (syncs take seconds), oldest first.
SELECT 'routing' AS kind, NULL::text AS venue, r.id, r.started_at,
       coalesce(r.heartbeat_at, r.started_at) AS last_seen_at, r.host, r.pid
FROM routing_runs AS r
WHERE r.status = 'RUNNING'
  AND coalesce(r.heartbeat_at, r.started_at) < now() - make_interval(secs => $1::float8)
UNION ALL
SELECT 'sync', s.venue::text, s.id, s.started_at, s.started_at, NULL::text, NULL::integer
FROM venue_sync_runs AS s
WHERE s.status = 'RUNNING'
  AND s.started_at < now() - make_interval(secs => $1::float8)
ORDER BY last_seen_at, id
