-- Adds one batch's counts to its run: the last statement of the batch
-- transaction, so the run's counters always equal its committed history rows.
-- $5 / $6 are JSON objects of counts merged key by key into routed_by_venue /
-- skipped_by_reason. A committed batch is also a heartbeat.
UPDATE routing_runs AS r
SET heartbeat_at = clock_timestamp(),
    claimed = r.claimed + $2::bigint,
    routed = r.routed + $3::bigint,
    skipped = r.skipped + $4::bigint,
    routed_by_venue = (
        SELECT coalesce(jsonb_object_agg(c.key, c.total), '{}'::jsonb)
        FROM (
            SELECT e.key, sum(e.value::bigint) AS total
            FROM (
                SELECT key, value FROM jsonb_each_text(r.routed_by_venue)
                UNION ALL
                SELECT key, value FROM jsonb_each_text($5::text::jsonb)
            ) AS e
            GROUP BY e.key
        ) AS c
    ),
    skipped_by_reason = (
        SELECT coalesce(jsonb_object_agg(c.key, c.total), '{}'::jsonb)
        FROM (
            SELECT e.key, sum(e.value::bigint) AS total
            FROM (
                SELECT key, value FROM jsonb_each_text(r.skipped_by_reason)
                UNION ALL
                SELECT key, value FROM jsonb_each_text($6::text::jsonb)
            ) AS e
            GROUP BY e.key
        ) AS c
    )
WHERE r.id = $1::uuid
