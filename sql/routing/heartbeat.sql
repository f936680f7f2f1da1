-- The periodic heartbeat of a running route-pending-signals run ($1), sent from
-- the run's own connection. It never waits: a row locked by a batch being
-- committed is skipped (that batch sets the heartbeat itself).
UPDATE routing_runs AS r
SET heartbeat_at = clock_timestamp()
WHERE r.id = (
    SELECT l.id
    FROM routing_runs AS l
    WHERE l.id = $1::uuid AND l.status = 'RUNNING'
    FOR UPDATE SKIP LOCKED
)
