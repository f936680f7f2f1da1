-- Releases the session-level advisory lock $1 taken with try_session_lock.sql; false means this
-- session did not hold it (it was lost with an earlier connection).
SELECT pg_advisory_unlock($1::bigint) AS unlocked
