-- Creates or updates one agent's routing config (unique on agent_id). NULL $3 /
-- $4 / $5 keep the stored strategy / failover / assumed notional (the defaults
-- for a new row); $6 true clears the assumed notional; $7 the allowance of
-- venues the host's executor does not run (NULL keeps it; issue 22).
-- `updated_at` moves only when a value changes.
INSERT INTO venue_routing_config AS c (agent_id, venue_priority, routing_strategy, failover_enabled, assumed_notional_usd,
                                       allow_venues_without_executor)
VALUES ($1::uuid, $2::text[], COALESCE($3::text, 'FIRST_AVAILABLE'), COALESCE($4::boolean, true),
        CASE WHEN $6::boolean THEN NULL ELSE $5::float8 END, $7::boolean)
ON CONFLICT (agent_id) DO UPDATE
SET venue_priority = excluded.venue_priority,
    routing_strategy = COALESCE($3::text, c.routing_strategy),
    failover_enabled = COALESCE($4::boolean, c.failover_enabled),
    assumed_notional_usd = CASE WHEN $6::boolean THEN NULL
                                ELSE COALESCE($5::float8, c.assumed_notional_usd) END,
    allow_venues_without_executor = COALESCE($7::boolean, c.allow_venues_without_executor),
    updated_at = CASE
        WHEN (c.venue_priority, c.routing_strategy, c.failover_enabled, c.assumed_notional_usd,
              c.allow_venues_without_executor)
            IS DISTINCT FROM (excluded.venue_priority, COALESCE($3::text, c.routing_strategy),
                              COALESCE($4::boolean, c.failover_enabled),
                              CASE WHEN $6::boolean THEN NULL
                                   ELSE COALESCE($5::float8, c.assumed_notional_usd) END,
                              COALESCE($7::boolean, c.allow_venues_without_executor))
        THEN now()
        ELSE c.updated_at
    END
RETURNING c.venue_priority, c.routing_strategy, c.failover_enabled, c.assumed_notional_usd, (c.xmax = 0) AS inserted, (c.updated_at = now()) AS changed
