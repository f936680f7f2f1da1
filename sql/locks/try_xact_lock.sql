-- One attempt at the transaction-scoped advisory lock $1 (held until the transaction ends, so it
-- holds behind a transaction-mode pooler and can never be left on an idle connection). The open
-- transaction that holds it must not be ended by idle_in_transaction_session_timeout while the
-- work it protects runs on another connection, so that is switched off for this transaction.
SELECT pg_try_advisory_xact_lock($1::bigint) AS locked,
       set_config('idle_in_transaction_session_timeout', '0', true) AS idle_timeout
