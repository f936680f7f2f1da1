-- What a routing batch checks before it reuses the market snapshot it loaded
-- earlier (market_snapshot.sql): the market syncs recorded so far (a sync
-- writes its markets and its venue_sync_runs row in one transaction, so a
-- sync that committed since the load changes these) and the database clock
-- the batch decides at. One small statement instead of every market's row.
SELECT count(*) AS syncs,
       max(r.finished_at) AS newest_sync_at,
       transaction_timestamp() AS now
FROM venue_sync_runs AS r
