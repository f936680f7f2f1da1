-- The tokens pending MULTI signals and the last day's routing decisions name
-- (view signal_token_demand, migration V11), most named first, at most $1: the
-- markets a sync fetches order books for (--books).
SELECT token_symbol, signals
FROM signal_token_demand
ORDER BY signals DESC, last_signal_at DESC, token_symbol
LIMIT $1
