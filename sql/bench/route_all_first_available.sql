-- Benchmark "limit": routes every pending MULTI signal first-available by the global
-- priority and writes its history row, in ONE statement run by PostgreSQL alone.
-- The floor for this work on this machine (symbol normalisation approximated in SQL).
WITH priority AS (
    SELECT coalesce(
               (SELECT venue_priority FROM venue_routing_config WHERE agent_id IS NULL),
               ARRAY['HYPERLIQUID', 'OSTIUM']) AS venues
),
pending AS (
    SELECT s.id, s.token_symbol,
           regexp_replace(upper(btrim(ltrim(btrim(s.token_symbol), '$'))), '(/USD|-USD|USDT|-PERP)$', '') AS symbol
    FROM signals AS s
    WHERE s.venue = 'MULTI' AND s.skipped_reason IS NULL
),
choice AS (
    SELECT DISTINCT ON (p.id)
           p.id, p.symbol, m.venue, m.market_name, m.market_index
    FROM pending AS p
    CROSS JOIN priority AS pr
    LEFT JOIN venue_markets AS m
           ON m.base_symbol = p.symbol
          AND m.is_active
          AND coalesce(m.market_open, true)
          AND m.dex IS NULL
          AND m.venue::text = ANY (pr.venues)
    ORDER BY p.id, array_position(pr.venues, m.venue::text)
),
updated AS (
    UPDATE signals AS s
    SET venue = coalesce(c.venue, s.venue),
        skipped_reason = CASE WHEN c.venue IS NULL THEN 'NO_VENUE_AVAILABLE: no active market for ' || c.symbol END
    FROM choice AS c
    WHERE s.id = c.id
    RETURNING s.id
)
INSERT INTO venue_routing_history
    (signal_id, token_symbol, requested_venue, selected_venue, routing_reason, checked_venues,
     venue_availability, routing_duration_ms, outcome, strategy, config_source, market_symbol,
     run_id, routing_duration_us)
SELECT c.id, c.symbol, 'MULTI', coalesce(c.venue, 'MULTI'),
       CASE WHEN c.venue IS NULL THEN 'NO_VENUE_AVAILABLE: no active market for ' || c.symbol
            ELSE c.venue::text || ': available (' || c.market_name || ')' END,
       ARRAY['HYPERLIQUID', 'OSTIUM'],
       jsonb_build_object(coalesce(c.venue::text, 'NONE'),
                          jsonb_build_object('available', c.venue IS NOT NULL, 'market', c.market_name)),
       0,
       CASE WHEN c.venue IS NULL THEN 'SKIPPED' ELSE 'ROUTED' END,
       'FIRST_AVAILABLE', 'global', c.market_name, NULL, 0
FROM choice AS c
JOIN updated AS u ON u.id = c.id
