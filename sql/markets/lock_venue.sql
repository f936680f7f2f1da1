-- Serialises market syncs of one venue: a transaction-scoped advisory lock
-- keyed on the venue, released at commit or rollback ($1 venue).
SELECT pg_advisory_xact_lock(hashtextextended('agent_where.market_sync.' || $1::text, 0))
