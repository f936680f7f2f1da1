-- Removes one agent's routing config row (its per-token overrides stay).
DELETE FROM venue_routing_config
WHERE agent_id = $1::uuid
RETURNING id
