-- Waits for the session-level advisory lock $1 (e.g. schema::MIGRATION_LOCK_KEY,
-- so that concurrent setups migrate one at a time).
SELECT pg_advisory_lock($1::bigint)
