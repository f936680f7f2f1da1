-- Pending MULTI signals (venue MULTI, not skipped): how many, and the oldest one's age in seconds.
SELECT
    count(*) AS pending,
    min(s.created_at) AS oldest_at,
    extract(epoch FROM now() - min(s.created_at))::float8 AS oldest_age_seconds
FROM signals s
WHERE s.venue = 'MULTI' AND s.skipped_reason IS NULL
