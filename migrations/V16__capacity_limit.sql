-- Agent Where, migration 16: what else bounds a market's capacity (issue 21).
-- Purely additive, re-runnable (setup re-applies migrations to repair objects
-- another tool removed).
--
-- venue_markets.capacity_limit: in words, the bound on long/short_capacity_usd
-- beyond the market's own open-interest cap, and which bound is unknown.
-- Ostium: the pair's group collateral cap (OstiumPairsStorage
-- groupMaxCollateral = maxCollateralP of the vault's balance; the subgraph
-- does not report the vault balance, so the cap is known only at 0 %).
-- Routing appends it to a capacity refusal's reason. NULL: nothing else.
ALTER TABLE venue_markets
    ADD COLUMN IF NOT EXISTS capacity_limit text;
