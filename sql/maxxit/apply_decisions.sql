-- Writes a whole batch's decisions on Maxxit's schema in one statement: the
-- chosen venue of a routed signal ($2 not NULL), or the skip reason of a
-- skipped one ($3). Only rows still pending and untaken change (the WHERE
-- clause is the pending rule of maxxit/claim_pending.sql); they are locked
-- by this transaction.
--
-- Executor symbol (#22): $6 holds a routed signal's executor symbol, the
-- token_symbol Maxxit's executor resolves to exactly the chosen market
-- (`kPEPE`, `XAU`, `JPY`); NULL keeps the token (a skip, or the hand-off
-- setting off). The agent's own token stays in the history's requested_token.
--
-- Executor marks of a skip (#24): with $4 (executor marks, the default) a
-- skipped signal also gets trade_executed = $5, the skip mark (FAILED by
-- default: Maxxit's own "not traded" value, which its Telegram notifier
-- reports to the agent's followers; SKIPPED with --skip-mark SKIPPED), and
-- execution_result = 'Agent Where: ' || the reason. Maxxit's executor reads
-- trade_executed, never skipped_reason, so it leaves the signal alone; it
-- never sets executor_agreement_error, so it never retries it.
--
-- The hold (#20, `setup-agent-where --hold-multi on`): a held signal
-- (trade_executed = 'AWAITING_ROUTE', which Maxxit's executor does not take)
-- is released when routed: trade_executed and execution_result go back to
-- NULL, only where they hold the hold mark, so the executor takes it on its
-- venue at its next tick. A skip with executor marks overwrites the hold with
-- the skip marks; a skip without marks leaves it held (fails closed: never
-- released to the executor unrouted).
UPDATE signals AS s
SET venue = coalesce(d.venue::venue_t, s.venue),
    skipped_reason = d.skipped_reason,
    token_symbol = coalesce(d.token_symbol, s.token_symbol),
    trade_executed = CASE
        -- a skip, with executor marks: the skip mark
        WHEN $4::boolean AND d.skipped_reason IS NOT NULL THEN $5::text
        -- routed and held: released
        WHEN d.venue IS NOT NULL AND s.trade_executed = 'AWAITING_ROUTE' THEN NULL
        ELSE s.trade_executed END,
    execution_result = CASE
        -- a skip, with executor marks: the reason, for the executor and notifier
        WHEN $4::boolean AND d.skipped_reason IS NOT NULL THEN 'Agent Where: ' || d.skipped_reason
        -- routed and held: released
        WHEN d.venue IS NOT NULL AND s.trade_executed = 'AWAITING_ROUTE' THEN NULL
        ELSE s.execution_result END
FROM unnest($1::uuid[], $2::text[], $3::text[], $6::text[]) AS d (id, venue, skipped_reason, token_symbol)
WHERE s.id = d.id
  AND s.venue = 'MULTI'
  AND s.skipped_reason IS NULL
  AND (s.trade_executed IS NULL OR s.trade_executed = 'AWAITING_ROUTE') -- untaken, or held for routing (#20)
  AND s.executor_agreement_error IS NULL
  AND s.llm_should_trade IS DISTINCT FROM false -- declined by Maxxit's own decision (#25)
  AND NOT EXISTS (SELECT 1 FROM positions AS p WHERE p.signal_id = s.id)
