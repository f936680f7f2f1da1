-- Creates or updates the global routing config (agent_id IS NULL), race-free on
-- the one-global unique index. NULL $2 / $3 / $4 keep the stored strategy /
-- failover / assumed notional (the defaults for a new row); $5 true clears the
-- assumed notional. $6 the allowance of venues the host's executor does not
-- run (NULL keeps it; issue 22). `updated_at` moves only when a value changes.
INSERT INTO venue_routing_config AS c (agent_id, venue_priority, routing_strategy, failover_enabled, assumed_notional_usd,
                                       allow_venues_without_executor)
VALUES (NULL, $1::text[], COALESCE($2::text, 'FIRST_AVAILABLE'), COALESCE($3::boolean, true),
        CASE WHEN $5::boolean THEN NULL ELSE $4::float8 END, $6::boolean)
ON CONFLICT ((agent_id IS NULL)) WHERE agent_id IS NULL DO UPDATE
SET venue_priority = excluded.venue_priority,
    routing_strategy = COALESCE($2::text, c.routing_strategy),
    failover_enabled = COALESCE($3::boolean, c.failover_enabled),
    assumed_notional_usd = CASE WHEN $5::boolean THEN NULL
                                ELSE COALESCE($4::float8, c.assumed_notional_usd) END,
    allow_venues_without_executor = COALESCE($6::boolean, c.allow_venues_without_executor),
    updated_at = CASE
        WHEN (c.venue_priority, c.routing_strategy, c.failover_enabled, c.assumed_notional_usd,
              c.allow_venues_without_executor)
            IS DISTINCT FROM (excluded.venue_priority, COALESCE($2::text, c.routing_strategy),
                              COALESCE($3::boolean, c.failover_enabled),
                              CASE WHEN $5::boolean THEN NULL
                                   ELSE COALESCE($4::float8, c.assumed_notional_usd) END,
                              COALESCE($6::boolean, c.allow_venues_without_executor))
        THEN now()
        ELSE c.updated_at
    END
RETURNING c.venue_priority, c.routing_strategy, c.failover_enabled, c.assumed_notional_usd, (c.xmax = 0) AS inserted, (c.updated_at = now()) AS changed
