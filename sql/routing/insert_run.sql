-- Starts a route-pending-signals run: a RUNNING row whose counters each committed batch advances.
INSERT INTO routing_runs (status, options, host, pid)
VALUES ('RUNNING', $1::jsonb, $2::text, $3::integer)
RETURNING id
