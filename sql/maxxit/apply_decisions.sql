-- Writes a whole batch's decisions on Maxxit's schema in one statement: the
-- chosen venue of a routed signal ($2 not NULL), or the skip reason of a
-- skipped one ($3). With $4 (executor marks, the default) a skipped signal
-- also gets trade_executed = 'SKIPPED' and execution_result = the reason, so
-- Maxxit's executor, which reads trade_executed and never skipped_reason,
-- leaves it alone. Only rows still pending and untaken change; they are
-- locked by this transaction.
-- $5 (issue 22): a routed signal's executor symbol, the token_symbol Maxxit's
-- executor resolves to exactly the chosen market (`kPEPE`, `XAU`, `JPY`);
-- NULL keeps the token (a skip, or the hand-off setting off).
UPDATE signals AS s
SET venue = coalesce(d.venue::venue_t, s.venue),
    skipped_reason = d.skipped_reason,
    token_symbol = coalesce(d.token_symbol, s.token_symbol),
    trade_executed = CASE WHEN $4::boolean AND d.skipped_reason IS NOT NULL
                          THEN 'SKIPPED' ELSE s.trade_executed END,
    execution_result = CASE WHEN $4::boolean AND d.skipped_reason IS NOT NULL
                            THEN 'Agent Where: ' || d.skipped_reason ELSE s.execution_result END
FROM unnest($1::uuid[], $2::text[], $3::text[], $5::text[]) AS d (id, venue, skipped_reason, token_symbol)
WHERE s.id = d.id
  AND s.venue = 'MULTI'
  AND s.skipped_reason IS NULL
  AND s.trade_executed IS NULL
  AND s.executor_agreement_error IS NULL
  AND NOT EXISTS (SELECT 1 FROM positions AS p WHERE p.signal_id = s.id)
