-- Creates or updates a global per-token override (one per canonical symbol).
-- `updated_at` moves only when the list changes.
INSERT INTO venue_routing_overrides AS o (agent_id, token_symbol, venue_priority)
VALUES (NULL, $1::text, $2::text[])
ON CONFLICT (token_symbol) WHERE agent_id IS NULL DO UPDATE
SET venue_priority = excluded.venue_priority,
    updated_at = CASE
        WHEN o.venue_priority IS DISTINCT FROM excluded.venue_priority THEN now()
        ELSE o.updated_at
    END
RETURNING o.venue_priority, (o.xmax = 0) AS inserted, (o.updated_at = now()) AS changed
