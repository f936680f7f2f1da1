-- How many global routing config rows (agent_id IS NULL) exist; more than one
-- (possible in a database the original system wrote) must be resolved by hand.
SELECT count(*) AS globals
FROM venue_routing_config
WHERE agent_id IS NULL
