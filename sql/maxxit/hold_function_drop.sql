-- Removes the hold's function once its trigger is gone
-- (`setup-agent-where --hold-multi off`).
DROP FUNCTION IF EXISTS agent_where_hold_multi()
