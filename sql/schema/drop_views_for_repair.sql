-- Before setup's repair re-runs every migration in order (in one transaction): drops Agent
-- Where's view routing_decisions, which later migrations extend with new columns, so that the
-- early migrations' CREATE OR REPLACE VIEW (fewer columns) can run again; the last migration
-- that defines it re-creates it whole. Without CASCADE: a foreign view built on it stops the
-- repair (rolled back) instead of being dropped.
DROP VIEW IF EXISTS routing_decisions
