-- Agent Where, migration 17: markets that take no opening order, and the
-- largest order a market takes (issue 21, findings 4 and 5). Purely additive:
-- two nullable columns. Re-runnable: setup re-applies migrations to repair
-- objects another tool removed.
--
-- The venue module states both in the market's metadata; sql/markets/apply.sql
-- copies them here, and routing reads them (sql/routing/market_snapshot.sql).
ALTER TABLE venue_markets
    -- Why a listed, active market takes no order that opens a position, as
    -- routing's reason code: REDUCE_ONLY (Lighter market_config.force_reduce_only),
    -- HIDDEN (Lighter market_config.hidden), QUOTE_NOT_USD (priced in a
    -- currency nothing synced converts to USD: Lighter's won-priced books).
    -- NULL: openings are taken. A signal that closes a position is not refused.
    ADD COLUMN IF NOT EXISTS opening_refusal text,
    -- The largest notional, USD, the venue accepts in one order (Lighter
    -- order_quote_limit); a larger order is ABOVE_CAPACITY. NULL: no known cap.
    ADD COLUMN IF NOT EXISTS max_order_usd double precision;
