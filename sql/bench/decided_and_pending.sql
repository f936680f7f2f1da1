-- Benchmark check after a run: history rows written and MULTI signals still pending.
SELECT (SELECT count(*) FROM venue_routing_history) AS history,
       (SELECT count(*) FROM signals AS s WHERE s.venue = 'MULTI' AND s.skipped_reason IS NULL) AS pending
