-- Agent Where, migration 15: illustrative data stays in demo databases (issue 23).
-- Purely additive. Re-runnable: setup re-applies migrations to repair objects
-- another tool removed.
--
-- venue_sync_runs.built_in: the sync read the responses built into the binary
-- (`run-pipeline --offline`, `bench-routing`): illustrative data, which routing
-- uses only in a demo database. Runs recorded before this column were labelled
-- so in `source`; they are marked when the column is added.
DO $$
BEGIN
    IF NOT EXISTS (
        SELECT 1 FROM pg_attribute
        WHERE attrelid = 'venue_sync_runs'::regclass
          AND attname = 'built_in'
          AND NOT attisdropped
    ) THEN
        ALTER TABLE venue_sync_runs ADD COLUMN built_in boolean NOT NULL DEFAULT false;
        UPDATE venue_sync_runs
        SET built_in = true
        WHERE source LIKE '%, built in' OR source = 'recorded responses';
    END IF;
END
$$;

-- The mark of a demo database: a row naming the database, written by the demo
-- (`run-pipeline --offline` / `--demo-signals`, `bench-routing`) when it created
-- the database or found it new. It counts only in the database it names, so a
-- copy or a renamed database is not a demo database.
CREATE TABLE IF NOT EXISTS agent_where_demo_database (
    database_name text PRIMARY KEY,
    marked_by text NOT NULL,
    marked_at timestamptz NOT NULL DEFAULT now()
);
