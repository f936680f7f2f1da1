-- Every global per-token override and the overrides of the given agents.
SELECT agent_id, token_symbol, venue_priority
FROM venue_routing_overrides
WHERE agent_id IS NULL OR agent_id = ANY ($1::uuid[])
ORDER BY agent_id IS NOT NULL, token_symbol, created_at, id
