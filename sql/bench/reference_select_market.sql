-- Benchmark "reference" (per-signal, as the original): one venue's market for a symbol.
SELECT market_name, market_index, is_active, coalesce(market_open, true) AS market_open
FROM venue_markets
WHERE venue = $1::text::venue_t AND base_symbol = $2 AND dex IS NULL
