-- Agent Where, migration 11: what an order would cost and whether a venue can
-- take it (issue 14). Purely additive: new nullable columns, one CHECK, one
-- view. Re-runnable: setup re-applies migrations to repair objects another
-- tool removed.
--
-- venue_markets: the figures each sync stores for routing's cost model and
-- capacity checks (shared/src/cost.rs has the types, the README the rules).
ALTER TABLE venue_markets
    -- Fee to close a position, bps of notional (Hyperliquid: the taker rate;
    -- Ostium: 0, it charges no closing fee).
    ADD COLUMN IF NOT EXISTS close_fee_bps double precision,
    -- Notional a new LONG / SHORT may still open before the market's
    -- open-interest cap: 0 at the cap, NULL when no cap is known.
    ADD COLUMN IF NOT EXISTS long_capacity_usd double precision,
    ADD COLUMN IF NOT EXISTS short_capacity_usd double precision,
    -- The venue lists the market at its open-interest cap (Hyperliquid
    -- perpsAtOpenInterestCap); NULL when the sync did not ask.
    ADD COLUMN IF NOT EXISTS at_open_interest_cap boolean,
    -- Max leverage of positions held overnight (Ostium overnightMaxLeverage),
    -- whether the day-trading session is over as observed, and when that flips.
    ADD COLUMN IF NOT EXISTS overnight_max_leverage double precision,
    ADD COLUMN IF NOT EXISTS day_trading_closed boolean,
    ADD COLUMN IF NOT EXISTS day_trading_toggle_at timestamptz,
    -- Fee rule and price-impact model (typed: cost::CostModel).
    ADD COLUMN IF NOT EXISTS cost_model jsonb,
    -- Order-book depth curve (typed: cost::DepthCurve) and the time of the
    -- sync that wrote it: routing uses it only while it equals last_synced.
    ADD COLUMN IF NOT EXISTS depth_curve jsonb,
    ADD COLUMN IF NOT EXISTS depth_synced_at timestamptz;

-- The notional routing assumes for an agent whose signals size relatively
-- (a percentage of balance): the agent's row, else the global row.
-- The CHECK is added on its own, when missing, so that re-running this
-- migration (setup's repair) restores it after another tool dropped it.
ALTER TABLE venue_routing_config
    ADD COLUMN IF NOT EXISTS assumed_notional_usd double precision;
DO $$
BEGIN
    IF NOT EXISTS (
        SELECT 1 FROM pg_constraint
        WHERE conrelid = 'venue_routing_config'::regclass
          AND conname = 'venue_routing_config_assumed_notional_usd_check'
    ) THEN
        ALTER TABLE venue_routing_config
            ADD CONSTRAINT venue_routing_config_assumed_notional_usd_check
            CHECK (assumed_notional_usd > 0 AND assumed_notional_usd < 1e15);
    END IF;
END
$$;

-- Maxxit's newer executor sizes by these when present (they exist on its
-- schema already; created here, nullable, where they do not).
ALTER TABLE signals
    ADD COLUMN IF NOT EXISTS llm_fund_allocation double precision,
    ADD COLUMN IF NOT EXISTS llm_leverage double precision;

-- The tokens pending MULTI signals and the last day's routing decisions
-- name, with how many: what the Hyperliquid sync fetches order books for
-- (--books). A view so the sync role reads token counts, never signals.
CREATE OR REPLACE VIEW signal_token_demand AS
SELECT d.token_symbol,
       sum(d.signals)::bigint AS signals,
       max(d.last_signal_at) AS last_signal_at
FROM (
    SELECT s.token_symbol, count(*) AS signals, max(s.created_at) AS last_signal_at
    FROM signals AS s
    WHERE s.venue = 'MULTI' AND s.skipped_reason IS NULL
    GROUP BY s.token_symbol
    UNION ALL
    SELECT h.token_symbol, count(*), max(h.created_at)
    FROM venue_routing_history AS h
    WHERE h.created_at >= now() - interval '24 hours'
    GROUP BY h.token_symbol
) AS d
GROUP BY d.token_symbol;
