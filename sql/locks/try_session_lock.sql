-- One attempt at the session-level advisory lock $1, on the connection that does the work it
-- protects (a direct connection or a session-mode pooler: one server connection per client, so
-- the lock stays with it). Released by unlock_session_lock.sql or when the connection ends.
SELECT pg_try_advisory_lock($1::bigint) AS locked
