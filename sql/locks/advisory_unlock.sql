-- Releases the session-level advisory lock $1; returns whether it was held.
SELECT pg_advisory_unlock($1::bigint) AS released
