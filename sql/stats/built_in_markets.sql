-- Issue 23: outside a demo database (marked, no other agent's signal), the listed markets Agent Where wrote
-- (base_symbol set) whose figures a sync of the data built into the binary wrote last
-- (illustrative data), per venue. A row's writer is the venue's first successful sync that
-- finished at or after the row's last_synced: a sync sets last_synced to its transaction's
-- start and records its run, finishing later, in the same transaction.
SELECT m.venue::text AS venue, count(*) AS markets
FROM venue_markets AS m
CROSS JOIN LATERAL (
    SELECT r.built_in
    FROM venue_sync_runs AS r
    WHERE r.venue = m.venue
      AND r.status = 'SUCCEEDED'
      AND r.finished_at >= m.last_synced
    ORDER BY r.finished_at
    LIMIT 1
) AS writer
WHERE writer.built_in
  AND m.base_symbol IS NOT NULL
  AND m.delisted_at IS NULL
  AND NOT (
      -- A demo database: its mark names it, and it holds no other agent's
      -- signal (the same rule as sql/routing/market_snapshot.sql).
      EXISTS (
          SELECT 1 FROM agent_where_demo_database AS d WHERE d.database_name = current_database()
      )
      AND NOT EXISTS (
          SELECT 1 FROM signals AS s WHERE s.agent_id < '00000000-0000-4000-8000-00000000d3a0'
      )
      AND NOT EXISTS (
          SELECT 1 FROM signals AS s WHERE s.agent_id > '00000000-0000-4000-8000-00000000d3a0'
      )
  )
GROUP BY m.venue
ORDER BY 1
