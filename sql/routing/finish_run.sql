-- Ends a route-pending-signals run: COMPLETED, or FAILED with the error text.
UPDATE routing_runs
SET status = $2::text,
    finished_at = now(),
    error = $3::text
WHERE id = $1::uuid
RETURNING claimed, routed, skipped
