-- The market snapshot a routing batch decides on, in ONE statement so that it
-- is one MVCC snapshot (a market sync committing meanwhile is seen wholly or
-- not at all): every venue market (kind 'market'), each venue's latest
-- successful sync (kind 'sync'), and the database clock (kind 'clock').
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
SELECT 'clock', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
       NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
       NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
       transaction_timestamp()
