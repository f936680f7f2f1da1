-- The global routing config row, if any.
SELECT venue_priority, routing_strategy, failover_enabled, updated_at, assumed_notional_usd,
       allow_venues_without_executor
FROM venue_routing_config
WHERE agent_id IS NULL
