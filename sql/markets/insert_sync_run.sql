-- Records one market sync run (SUCCEEDED with its counts, or FAILED with the error). Sync runs
-- of the same venue left RUNNING for more than $13 seconds (by a process that died; syncs take
-- seconds) are marked FAILED on the way, so they are not shown as current forever. $14: the
-- responses were the ones built into the binary (illustrative data, issue 23).
WITH stale AS (
    UPDATE venue_sync_runs AS s
    SET status = 'FAILED',
        finished_at = now(),
        error = 'STALE: RUNNING since '
            || to_char(s.started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS')
            || ' UTC without finishing; marked FAILED by the next sync'
    WHERE s.venue = $1::text::venue_t
      AND s.status = 'RUNNING'
      AND s.started_at < now() - make_interval(secs => $13::float8)
)
INSERT INTO venue_sync_runs (
    venue, source, status, started_at, finished_at, markets_seen, added, updated, delisted,
    reactivated, unchanged, active_total, error, built_in
)
VALUES (
    $1::text::venue_t, $2::text, $3::text, $4::timestamptz, clock_timestamp(), $5::int4, $6::int4,
    $7::int4, $8::int4, $9::int4, $10::int4, $11::int4, $12::text, $14::bool
)
RETURNING id
