-- Whether `signals` holds a signal of another agent than the demo's ($1): two index probes
-- (signals_agent_id_created_at_idx) around the demo agent's id.
SELECT EXISTS (SELECT 1 FROM signals WHERE agent_id < $1::uuid)
    OR EXISTS (SELECT 1 FROM signals WHERE agent_id > $1::uuid) AS found
