-- Marks FAILED every RUNNING routing run without a heartbeat for more than $1
-- seconds (its process was killed or lost its connection: it can no longer
-- finish its row); $2 is the id of the run doing it. Rows written before
-- heartbeats existed are judged by their start. Returns the runs marked.
UPDATE routing_runs AS r
SET status = 'FAILED',
    finished_at = now(),
    error = 'STALE: no heartbeat since '
        || to_char(coalesce(r.heartbeat_at, r.started_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS')
        || ' UTC (the process was killed or lost its database connection); marked FAILED by run '
        || $2::uuid::text
WHERE r.status = 'RUNNING'
  AND r.id <> $2::uuid
  AND coalesce(r.heartbeat_at, r.started_at) < now() - make_interval(secs => $1::float8)
RETURNING r.id, r.host, r.pid
