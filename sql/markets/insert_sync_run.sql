-- Records one market sync run (SUCCEEDED with its counts, or FAILED with the error).
INSERT INTO venue_sync_runs (
    venue, source, status, started_at, finished_at, markets_seen, added, updated, delisted,
    reactivated, unchanged, active_total, error
)
VALUES (
    $1::text::venue_t, $2::text, $3::text, $4::timestamptz, clock_timestamp(), $5::int4, $6::int4,
    $7::int4, $8::int4, $9::int4, $10::int4, $11::int4, $12::text
)
RETURNING id
