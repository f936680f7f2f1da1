-- The global routing config row and the rows of the given agents
-- (global first; oldest first if a database holds duplicates).
SELECT agent_id, venue_priority, routing_strategy, failover_enabled, assumed_notional_usd,
       allow_venues_without_executor
FROM venue_routing_config
WHERE agent_id IS NULL OR agent_id = ANY ($1::uuid[])
ORDER BY agent_id IS NOT NULL, created_at, id
