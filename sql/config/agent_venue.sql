-- The venue of one agent (no row when the agent does not exist).
SELECT venue::text AS venue
FROM agents
WHERE id = $1::uuid
