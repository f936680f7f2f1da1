-- Creates or updates the global routing config (agent_id IS NULL), race-free on
-- the one-global unique index. NULL $2 / $3 keep the stored strategy / failover
-- (the defaults for a new row). `updated_at` moves only when a value changes.
INSERT INTO venue_routing_config AS c (agent_id, venue_priority, routing_strategy, failover_enabled)
VALUES (NULL, $1::text[], COALESCE($2::text, 'FIRST_AVAILABLE'), COALESCE($3::boolean, true))
ON CONFLICT ((agent_id IS NULL)) WHERE agent_id IS NULL DO UPDATE
SET venue_priority = excluded.venue_priority,
    routing_strategy = COALESCE($2::text, c.routing_strategy),
    failover_enabled = COALESCE($3::boolean, c.failover_enabled),
    updated_at = CASE
        WHEN (c.venue_priority, c.routing_strategy, c.failover_enabled)
            IS DISTINCT FROM (excluded.venue_priority, COALESCE($2::text, c.routing_strategy), COALESCE($3::boolean, c.failover_enabled))
        THEN now()
        ELSE c.updated_at
    END
RETURNING c.venue_priority, c.routing_strategy, c.failover_enabled, (c.xmax = 0) AS inserted, (c.updated_at = now()) AS changed
