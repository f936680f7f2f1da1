-- For each venue in $1 (in that order): its last successful sync and its age in
-- seconds, its newest sync attempt of any status (a RUNNING one started more than $2
-- seconds ago is STALE: syncs take seconds), and its active and total markets.
SELECT
    v.venue,
    ok.finished_at AS last_success_at,
    extract(epoch FROM now() - ok.finished_at)::float8 AS age_seconds,
    CASE WHEN attempt.status = 'RUNNING'
          AND attempt.started_at < now() - make_interval(secs => $2::float8)
         THEN 'STALE' ELSE attempt.status END AS last_attempt_status,
    attempt.started_at AS last_attempt_at,
    attempt.error AS last_attempt_error,
    markets.active AS active_markets,
    markets.total AS total_markets
FROM unnest($1::text[]) WITH ORDINALITY AS v (venue, ord)
LEFT JOIN LATERAL (
    SELECT max(r.finished_at) AS finished_at
    FROM venue_sync_runs r
    WHERE r.venue = v.venue::venue_t AND r.status = 'SUCCEEDED'
) ok ON true
LEFT JOIN LATERAL (
    SELECT a.status, a.started_at, a.error
    FROM venue_sync_runs a
    WHERE a.venue = v.venue::venue_t
    ORDER BY a.started_at DESC
    LIMIT 1
) attempt ON true
CROSS JOIN LATERAL (
    SELECT count(*) FILTER (WHERE m.is_active) AS active, count(*) AS total
    FROM venue_markets m
    WHERE m.venue = v.venue::venue_t
) markets
ORDER BY v.ord
