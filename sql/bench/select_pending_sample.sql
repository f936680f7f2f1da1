-- Benchmark "reference": the first $1 pending MULTI signals, oldest first.
SELECT id, agent_id, token_symbol
FROM signals
WHERE venue = 'MULTI' AND skipped_reason IS NULL
ORDER BY created_at, id
LIMIT $1
