-- Removes one per-token override: global when $1 is NULL, else the agent's.
DELETE FROM venue_routing_overrides
WHERE agent_id IS NOT DISTINCT FROM $1::uuid AND token_symbol = $2::text
RETURNING id
