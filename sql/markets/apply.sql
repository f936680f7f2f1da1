-- Applies one venue's validated market list in a single statement: upserts
-- every market on (venue, token_symbol), delists the listed markets of the
-- synced scope that are missing from the list (delisted_at set, is_active =
-- false; never deleted), clears delisted_at of markets listed again, and
-- returns one row per touched market with how it changed.
--
-- Two writers share this table on Maxxit (its own sync scripts and Agent
-- Where), so the stored columns keep Maxxit's meaning: `is_active` = listed
-- AND open now (Maxxit's readers ask `token_symbol = … AND is_active`);
-- `delisted_at` (NULL = listed) and `market_open` (hours) keep the two apart
-- for routing. The input's `listed` is the venue's word. Only rows Agent Where
-- wrote (base_symbol set) are ever delisted: rows only the other writer keeps
-- (Ostium `USD`, `DAX`, keyed by the pair's `from`) are left alone.
--
-- All CTEs read the pre-statement snapshot, so `old` holds the rows as they
-- were. A change is any stored value but last_synced, market_status_at,
-- day_trading_toggle_at and depth_synced_at (observation times). A market
-- without a depth curve in this list keeps its stored curve and the time of
-- the sync that wrote it (routing then knows the curve is older than the
-- market's figures). A market that takes no opening order and the largest
-- order it takes (opening_refusal, max_order_usd: V17) are what the venue
-- module states under those keys of the market's metadata
-- (shared/src/cost.rs, OPENING_REFUSAL_KEY, MAX_ORDER_USD_KEY). $1 venue; $2 scope (dex names, '' = main dex, NULL =
-- whole venue); $3.. one array per column, in the order of the column list.
WITH input AS (
    SELECT *
    FROM unnest(
        $3::text[], $4::text[], $5::int4[], $6::text[], $7::text[], $8::float8[], $9::text[],
        $10::bool[], $11::bool[], $12::timestamptz[], $13::float8[], $14::int4[], $15::text[],
        $16::float8[], $17::float8[], $18::float8[], $19::float8[], $20::float8[],
        $21::float8[], $22::float8[], $23::float8[], $24::float8[], $25::float8[],
        $26::float8[], $27::jsonb[], $28::float8[], $29::float8[], $30::float8[], $31::bool[],
        $32::float8[], $33::bool[], $34::timestamptz[], $35::jsonb[], $36::jsonb[], $37::text[]
    ) AS t (
        token_symbol, market_name, market_index, base_symbol, quote_symbol, price_scale, dex,
        listed, market_open, market_status_at, min_position, max_leverage, "group",
        current_price, liquidity_usd, open_interest_usd, long_open_interest_usd,
        short_open_interest_usd, max_open_interest_usd, day_volume_usd, spread_bps,
        taker_fee_bps, maker_fee_bps, funding_rate, metadata, close_fee_bps, long_capacity_usd,
        short_capacity_usd, at_open_interest_cap, overnight_max_leverage, day_trading_closed,
        day_trading_toggle_at, cost_model, depth_curve, capacity_limit
    )
),
old AS (
    SELECT m.token_symbol, m.delisted_at IS NULL AS listed,
           to_jsonb(m) - 'id' - 'last_synced' - 'market_status_at' - 'day_trading_toggle_at'
               - 'depth_synced_at' AS snapshot
    FROM venue_markets m
    WHERE m.venue = $1::text::venue_t
),
upserted AS (
    INSERT INTO venue_markets AS m (
        venue, token_symbol, market_name, market_index, base_symbol, quote_symbol, price_scale,
        dex, is_active, market_open, market_status_at, min_position, max_leverage, "group",
        current_price, liquidity_usd, open_interest_usd, long_open_interest_usd,
        short_open_interest_usd, max_open_interest_usd, day_volume_usd, spread_bps,
        taker_fee_bps, maker_fee_bps, funding_rate, metadata, last_synced, delisted_at,
        close_fee_bps, long_capacity_usd, short_capacity_usd, at_open_interest_cap,
        overnight_max_leverage, day_trading_closed, day_trading_toggle_at, cost_model,
        depth_curve, depth_synced_at, opening_refusal, max_order_usd, capacity_limit
    )
    SELECT $1::text::venue_t, i.token_symbol, i.market_name, i.market_index, i.base_symbol,
           i.quote_symbol, i.price_scale, i.dex, i.listed AND coalesce(i.market_open, true),
           i.market_open, i.market_status_at,
           i.min_position::numeric(20, 8), i.max_leverage, i."group",
           i.current_price::numeric(20, 8), i.liquidity_usd, i.open_interest_usd,
           i.long_open_interest_usd, i.short_open_interest_usd, i.max_open_interest_usd,
           i.day_volume_usd, i.spread_bps, i.taker_fee_bps, i.maker_fee_bps, i.funding_rate,
           i.metadata, now(), CASE WHEN i.listed THEN NULL ELSE now() END,
           i.close_fee_bps, i.long_capacity_usd, i.short_capacity_usd, i.at_open_interest_cap,
           i.overnight_max_leverage, i.day_trading_closed, i.day_trading_toggle_at, i.cost_model,
           i.depth_curve, CASE WHEN i.depth_curve IS NOT NULL THEN now() END,
           i.metadata ->> 'opening_refusal', (i.metadata ->> 'max_order_usd')::float8, i.capacity_limit
    FROM input i
    ON CONFLICT (venue, token_symbol) DO UPDATE SET
        market_name = EXCLUDED.market_name,
        market_index = EXCLUDED.market_index,
        base_symbol = EXCLUDED.base_symbol,
        quote_symbol = EXCLUDED.quote_symbol,
        price_scale = EXCLUDED.price_scale,
        dex = EXCLUDED.dex,
        is_active = EXCLUDED.is_active,
        market_open = EXCLUDED.market_open,
        market_status_at = EXCLUDED.market_status_at,
        min_position = EXCLUDED.min_position,
        max_leverage = EXCLUDED.max_leverage,
        "group" = EXCLUDED."group",
        current_price = EXCLUDED.current_price,
        liquidity_usd = EXCLUDED.liquidity_usd,
        open_interest_usd = EXCLUDED.open_interest_usd,
        long_open_interest_usd = EXCLUDED.long_open_interest_usd,
        short_open_interest_usd = EXCLUDED.short_open_interest_usd,
        max_open_interest_usd = EXCLUDED.max_open_interest_usd,
        day_volume_usd = EXCLUDED.day_volume_usd,
        spread_bps = EXCLUDED.spread_bps,
        taker_fee_bps = EXCLUDED.taker_fee_bps,
        maker_fee_bps = EXCLUDED.maker_fee_bps,
        funding_rate = EXCLUDED.funding_rate,
        metadata = EXCLUDED.metadata,
        last_synced = EXCLUDED.last_synced,
        delisted_at = CASE WHEN EXCLUDED.delisted_at IS NULL THEN NULL
                           ELSE coalesce(m.delisted_at, EXCLUDED.delisted_at) END,
        close_fee_bps = EXCLUDED.close_fee_bps,
        long_capacity_usd = EXCLUDED.long_capacity_usd,
        short_capacity_usd = EXCLUDED.short_capacity_usd,
        at_open_interest_cap = EXCLUDED.at_open_interest_cap,
        overnight_max_leverage = EXCLUDED.overnight_max_leverage,
        day_trading_closed = EXCLUDED.day_trading_closed,
        day_trading_toggle_at = EXCLUDED.day_trading_toggle_at,
        cost_model = EXCLUDED.cost_model,
        capacity_limit = EXCLUDED.capacity_limit,
        depth_curve = coalesce(EXCLUDED.depth_curve, m.depth_curve),
        depth_synced_at = CASE WHEN EXCLUDED.depth_curve IS NOT NULL THEN EXCLUDED.depth_synced_at
                               ELSE m.depth_synced_at END,
        opening_refusal = EXCLUDED.opening_refusal,
        max_order_usd = EXCLUDED.max_order_usd
    RETURNING m.token_symbol, m.delisted_at IS NULL AS listed,
              to_jsonb(m) - 'id' - 'last_synced' - 'market_status_at' - 'day_trading_toggle_at'
                  - 'depth_synced_at' AS snapshot
),
swept AS (
    UPDATE venue_markets m
    SET is_active = false,
        delisted_at = now(),
        last_synced = now()
    WHERE m.venue = $1::text::venue_t
      AND m.delisted_at IS NULL
      AND m.base_symbol IS NOT NULL
      AND ($2::text[] IS NULL OR coalesce(m.dex, '') = ANY ($2::text[]))
      AND NOT EXISTS (SELECT 1 FROM input i WHERE i.token_symbol = m.token_symbol)
    RETURNING m.token_symbol
)
SELECT u.token_symbol,
       CASE
           WHEN o.token_symbol IS NULL THEN 'added'
           WHEN NOT o.listed AND u.listed THEN 'reactivated'
           WHEN o.listed AND NOT u.listed THEN 'delisted'
           WHEN o.snapshot = u.snapshot THEN 'unchanged'
           ELSE 'updated'
       END AS change
FROM upserted u
LEFT JOIN old o ON o.token_symbol = u.token_symbol
UNION ALL
SELECT s.token_symbol, 'delisted' AS change
FROM swept s
