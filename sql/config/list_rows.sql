-- Every routing config row, global first, then agents by name.
SELECT c.agent_id, a.name AS agent_name, c.venue_priority, c.routing_strategy,
    c.failover_enabled, c.assumed_notional_usd, c.created_at, c.updated_at
FROM venue_routing_config AS c
LEFT JOIN agents AS a ON a.id = c.agent_id
ORDER BY c.agent_id IS NOT NULL, a.name, c.agent_id, c.created_at, c.id
