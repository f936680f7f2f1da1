-- Agent Where, migration 10: a heartbeat per routing run, so that a run whose
-- process was killed or lost its connection (its row stays RUNNING forever)
-- can be told from a live one. route-pending-signals sets heartbeat_at when
-- it starts a run, with every committed batch and every few seconds from the
-- run's own connection; a RUNNING run whose heartbeat (or, for rows written
-- before this migration, whose start) is older than the staleness limit is
-- STALE: routing-stats shows it so, `health` fails on it, and the next
-- routing run marks it FAILED. Purely additive.

ALTER TABLE routing_runs ADD COLUMN IF NOT EXISTS heartbeat_at timestamptz;

-- The stale-run lookups read only RUNNING rows.
CREATE INDEX IF NOT EXISTS routing_runs_running_idx
    ON routing_runs (coalesce(heartbeat_at, started_at)) WHERE status = 'RUNNING';
CREATE INDEX IF NOT EXISTS venue_sync_runs_running_idx
    ON venue_sync_runs (started_at) WHERE status = 'RUNNING';
