-- Every per-token override, global ones first, then by agent name and symbol.
SELECT o.agent_id, a.name AS agent_name, o.token_symbol, o.venue_priority,
    o.created_at, o.updated_at
FROM venue_routing_overrides AS o
LEFT JOIN agents AS a ON a.id = o.agent_id
ORDER BY o.agent_id IS NOT NULL, a.name, o.agent_id, o.token_symbol, o.id
