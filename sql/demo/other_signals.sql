-- Whether `signals` holds a signal of another agent than the demo's ($1).
SELECT EXISTS (SELECT 1 FROM signals WHERE agent_id IS DISTINCT FROM $1::uuid) AS found
