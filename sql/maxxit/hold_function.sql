-- The hold of `setup-agent-where --hold-multi on` (Maxxit's schema, issue 20):
-- a new MULTI signal that routing will decide (the pending rule of
-- maxxit/claim_pending.sql: not skipped, untaken, no executor error, not
-- declined by Maxxit's own decision) is marked held in the column Maxxit's
-- executor obeys: trade_executed = 'AWAITING_ROUTE' (it takes only NULL), so
-- it never runs an undecided MULTI signal on Ostium. Maxxit's notifier reads
-- the value as "waiting". The decision's own UPDATE (maxxit/apply_decisions.sql)
-- releases a routed signal and turns a skip into the skip marks. A signal
-- inserted with another venue, or already executed, is left as it is. Runs as
-- the inserting role and changes only the new row.
CREATE OR REPLACE FUNCTION agent_where_hold_multi() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.venue = 'MULTI'
       AND NEW.skipped_reason IS NULL
       AND NEW.trade_executed IS NULL
       AND NEW.execution_result IS NULL
       AND NEW.executor_agreement_error IS NULL
       AND NEW.llm_should_trade IS DISTINCT FROM false THEN
        NEW.trade_executed := 'AWAITING_ROUTE';
        NEW.execution_result := 'Agent Where: held for routing (AWAITING_ROUTE): the executor takes it once its venue is decided';
    END IF;
    RETURN NEW;
END
$$
