-- Starts a route-pending-signals run: a RUNNING row whose counters each committed batch advances,
-- with its first heartbeat.
INSERT INTO routing_runs (status, options, host, pid, heartbeat_at)
VALUES ('RUNNING', $1::jsonb, $2::text, $3::integer, clock_timestamp())
RETURNING id
