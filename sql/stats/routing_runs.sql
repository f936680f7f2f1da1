-- Routing runs started in the window ($1 since inclusive, $2 until exclusive; NULL = unbounded):
-- counts by status and summed counters, plus the newest run overall. A RUNNING run without a
-- heartbeat for more than $3 seconds (rows from before heartbeats: since its start) is STALE:
-- counted as stale, not running, and shown as STALE when it is the newest.
SELECT
    count(r.id) AS runs,
    count(*) FILTER (WHERE r.status = 'COMPLETED') AS completed,
    count(*) FILTER (WHERE r.status = 'FAILED') AS failed,
    count(*) FILTER (
        WHERE r.status = 'RUNNING'
          AND coalesce(r.heartbeat_at, r.started_at) >= now() - make_interval(secs => $3::float8)
    ) AS running,
    count(*) FILTER (
        WHERE r.status = 'RUNNING'
          AND coalesce(r.heartbeat_at, r.started_at) < now() - make_interval(secs => $3::float8)
    ) AS stale,
    COALESCE(sum(r.claimed), 0)::bigint AS claimed,
    COALESCE(sum(r.routed), 0)::bigint AS routed,
    COALESCE(sum(r.skipped), 0)::bigint AS skipped,
    last.started_at AS last_started_at,
    last.finished_at AS last_finished_at,
    last.status AS last_status
FROM (SELECT 1) AS one
LEFT JOIN routing_runs r
    ON ($1::timestamptz IS NULL OR r.started_at >= $1::timestamptz)
   AND ($2::timestamptz IS NULL OR r.started_at < $2::timestamptz)
LEFT JOIN LATERAL (
    SELECT l.started_at, l.finished_at,
           CASE WHEN l.status = 'RUNNING'
                 AND coalesce(l.heartbeat_at, l.started_at) < now() - make_interval(secs => $3::float8)
                THEN 'STALE' ELSE l.status END AS status
    FROM routing_runs l
    ORDER BY l.started_at DESC
    LIMIT 1
) last ON true
GROUP BY last.started_at, last.finished_at, last.status
