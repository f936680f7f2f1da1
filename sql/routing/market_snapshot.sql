-- The market snapshot a routing batch decides on, in ONE statement so that it
-- is one MVCC snapshot (a market sync committing meanwhile is seen wholly or
-- not at all): every venue market (kind 'market'), each venue's latest
-- successful sync (kind 'sync'), and the database clock (kind 'clock'); outside
-- a demo database, the venues whose latest successful sync read the data built
-- into the binary (kind 'built_in', issue 23: routing never uses those markets).
-- A market's depth curve is returned only when the sync that wrote the
-- market's current figures also wrote it (depth_synced_at = last_synced);
-- an older curve is flagged depth_stale instead. opening_refusal and
-- max_order_usd (V17): a market that takes no opening order, and the largest
-- order it takes.
SELECT 'market' AS kind,
       m.venue::text AS venue,
       m.token_symbol,
       m.market_name,
       m.market_index,
       m.base_symbol,
       m.price_scale,
       m.dex,
       m.is_active,
       m.delisted_at IS NOT NULL AS delisted,
       m.market_open,
       m.max_leverage,
       m.liquidity_usd,
       m.open_interest_usd,
       m.long_open_interest_usd,
       m.short_open_interest_usd,
       m.max_open_interest_usd,
       m.day_volume_usd,
       m.spread_bps,
       m.taker_fee_bps,
       m.close_fee_bps,
       m.long_capacity_usd,
       m.short_capacity_usd,
       m.at_open_interest_cap,
       m.opening_refusal,
       m.max_order_usd,
       m.overnight_max_leverage,
       m.day_trading_closed,
       m.day_trading_toggle_at,
       m.cost_model,
       m.capacity_limit,
       CASE WHEN m.depth_synced_at = m.last_synced THEN m.depth_curve END AS depth_curve,
       (m.depth_curve IS NOT NULL AND m.depth_synced_at IS DISTINCT FROM m.last_synced) AS depth_stale,
       NULL::timestamptz AS at
FROM venue_markets AS m
UNION ALL
SELECT 'sync', r.venue::text, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
       NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
       NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
       max(r.finished_at)
FROM venue_sync_runs AS r
WHERE r.status = 'SUCCEEDED'
  AND r.finished_at IS NOT NULL
GROUP BY r.venue
UNION ALL
-- Issue 23: a venue whose latest successful sync read the responses built into
-- the binary (illustrative data), unless this is a demo database (its mark
-- names it and no other agent's signal is in it: the same rule as
-- sql/stats/built_in_markets.sql). One index probe per venue
-- (venue_sync_runs_venue_finished_at_idx).
SELECT 'built_in', v.venue::text, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
       NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
       NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
       latest.finished_at
FROM unnest(enum_range(NULL::venue_t)) AS v (venue)
CROSS JOIN LATERAL (
    SELECT r.finished_at, r.built_in
    FROM venue_sync_runs AS r
    WHERE r.venue = v.venue
      AND r.status = 'SUCCEEDED'
      AND r.finished_at IS NOT NULL
    ORDER BY r.finished_at DESC
    LIMIT 1
) AS latest
WHERE latest.built_in
  AND NOT (
      -- A demo database: its mark names it, and it holds no other agent's
      -- signal (two index probes around the demo agent's id).
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
UNION ALL
SELECT 'clock', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
       NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
       NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
       transaction_timestamp()
