-- Turns the hold off (`setup-agent-where --hold-multi off`): new signals are
-- no longer held. Signals held already stay held (never released to the
-- executor unrouted): routing decides them as before.
DROP TRIGGER IF EXISTS agent_where_hold_multi ON signals
