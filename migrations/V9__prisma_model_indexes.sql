-- Agent Where, migration 9: the indexes of the Prisma models
-- (`migrations/prisma/agent_where.prisma`) that a database Agent Where created
-- itself lacks.
--
-- A Prisma host (Maxxit) has them already: its models declare them, and these
-- statements leave them alone. On a database Agent Where set up on its own,
-- they make the schema exactly what the models say, so `setup-agent-where
-- --check` verifies one set of objects on every host.
--
-- Re-runnable: setup re-applies migrations to repair objects another tool removed.

CREATE INDEX IF NOT EXISTS venue_markets_last_synced_idx ON venue_markets (last_synced);
CREATE INDEX IF NOT EXISTS venue_markets_venue_token_symbol_idx ON venue_markets (venue, token_symbol);
CREATE INDEX IF NOT EXISTS venue_routing_config_agent_id_idx ON venue_routing_config (agent_id);
