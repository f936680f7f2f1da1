-- Turns the hold on (`setup-agent-where --hold-multi on`): every new signal
-- passes through agent_where_hold_multi() (maxxit/hold_function.sql) before
-- it is written. Re-runnable.
CREATE OR REPLACE TRIGGER agent_where_hold_multi
    BEFORE INSERT ON signals
    FOR EACH ROW EXECUTE FUNCTION agent_where_hold_multi()
