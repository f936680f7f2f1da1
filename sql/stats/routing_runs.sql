-- Routing runs started in the window ($1 since inclusive, $2 until exclusive; NULL = unbounded):
-- counts by status and summed counters, plus the newest run overall.
SELECT
    count(r.id) AS runs,
    count(*) FILTER (WHERE r.status = 'COMPLETED') AS completed,
    count(*) FILTER (WHERE r.status = 'FAILED') AS failed,
    count(*) FILTER (WHERE r.status = 'RUNNING') AS running,
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
    SELECT l.started_at, l.finished_at, l.status
    FROM routing_runs l
    ORDER BY l.started_at DESC
    LIMIT 1
) last ON true
GROUP BY last.started_at, last.finished_at, last.status
