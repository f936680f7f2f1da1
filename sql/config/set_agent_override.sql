-- Creates or updates one agent's per-token override (one per agent and canonical
-- symbol). `updated_at` moves only when the list changes.
INSERT INTO venue_routing_overrides AS o (agent_id, token_symbol, venue_priority)
VALUES ($1::uuid, $2::text, $3::text[])
ON CONFLICT (agent_id, token_symbol) WHERE agent_id IS NOT NULL DO UPDATE
SET venue_priority = excluded.venue_priority,
    updated_at = CASE
        WHEN o.venue_priority IS DISTINCT FROM excluded.venue_priority THEN now()
        ELSE o.updated_at
    END
RETURNING o.venue_priority, (o.xmax = 0) AS inserted, (o.updated_at = now()) AS changed
