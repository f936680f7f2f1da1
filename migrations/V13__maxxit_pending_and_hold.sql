-- Agent Where, migration 13: on Maxxit's schema, what "pending" means there,
-- as an index (issues 24, 25 and the hold of issue 20). Nothing happens on
-- the minimal schema (no `trade_executed` column): its pending signals use
-- signals_multi_pending_idx. Re-runnable: setup re-applies migrations to
-- repair objects another tool removed.
--
-- The pending MULTI signals of Maxxit's schema, in the order the router
-- claims them (sql/maxxit/claim_pending.sql has the rule, which also asks for
-- no position): not skipped, not taken by Maxxit's executor (trade_executed
-- empty, or the hold mark AWAITING_ROUTE of `setup-agent-where --hold-multi`),
-- no executor error, and not declined by Maxxit's own decision
-- (llm_should_trade = false never trades; NULL stays pending). Executed and
-- declined signals, most of a Maxxit database, stay out of the index.
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM information_schema.columns
               WHERE table_schema = current_schema() AND table_name = 'signals'
                 AND column_name = 'trade_executed')
       AND EXISTS (SELECT 1 FROM information_schema.columns
                   WHERE table_schema = current_schema() AND table_name = 'signals'
                     AND column_name = 'llm_should_trade')
       AND EXISTS (SELECT 1 FROM information_schema.columns
                   WHERE table_schema = current_schema() AND table_name = 'signals'
                     AND column_name = 'executor_agreement_error') THEN
        CREATE INDEX IF NOT EXISTS signals_maxxit_pending_idx
            ON signals (created_at, id)
            WHERE venue = 'MULTI'
              AND skipped_reason IS NULL
              AND (trade_executed IS NULL OR trade_executed = 'AWAITING_ROUTE')
              AND executor_agreement_error IS NULL
              AND llm_should_trade IS DISTINCT FROM false;
    END IF;
END
$$;
