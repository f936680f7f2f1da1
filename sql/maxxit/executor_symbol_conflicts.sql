-- Routed signals of a batch ($1 ids, $2 their executor symbols, issue 22)
-- whose executor symbol must not be written on Maxxit's schema: its unique
-- index signals(agent_id, token_symbol, deployment_id, 6-hour UTC bucket of
-- created_at) already holds that symbol for another signal of the same
-- agent, deployment and window, or an older signal of this batch gets it.
-- Those keep the agent's token (the write would fail the whole batch).
-- NULL deployments never collide (a unique index treats NULLs as distinct).
WITH d AS (
    SELECT s.id, s.agent_id, s.deployment_id, u.symbol,
           floor(extract(epoch FROM s.created_at) / 21600) AS bucket,
           row_number() OVER (
               PARTITION BY s.agent_id, s.deployment_id, u.symbol,
                            floor(extract(epoch FROM s.created_at) / 21600)
               ORDER BY s.created_at, s.id) AS nth
    FROM unnest($1::uuid[], $2::text[]) AS u (id, symbol)
    JOIN signals AS s ON s.id = u.id
    WHERE u.symbol IS NOT NULL
      AND s.deployment_id IS NOT NULL
      AND u.symbol IS DISTINCT FROM s.token_symbol
)
SELECT d.id
FROM d
WHERE d.nth > 1
   OR EXISTS (
       SELECT 1 FROM signals AS o
       WHERE o.agent_id = d.agent_id
         AND o.deployment_id = d.deployment_id
         AND o.token_symbol = d.symbol
         AND o.id <> d.id
         AND floor(extract(epoch FROM o.created_at) / 21600) = d.bucket)
