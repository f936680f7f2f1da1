-- Benchmark "reference" (per-signal, as the original): the agent's routing config.
SELECT venue_priority, failover_enabled FROM venue_routing_config WHERE agent_id = $1
