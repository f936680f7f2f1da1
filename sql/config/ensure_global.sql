-- Creates the global routing config with the built-in default unless one exists.
-- Never overwrites a global row a user changed. Returns a row only when it inserted.
INSERT INTO venue_routing_config (agent_id, venue_priority, routing_strategy, failover_enabled)
VALUES (NULL, ARRAY['HYPERLIQUID', 'OSTIUM'], 'FIRST_AVAILABLE', true)
ON CONFLICT ((agent_id IS NULL)) WHERE agent_id IS NULL DO NOTHING
RETURNING id
