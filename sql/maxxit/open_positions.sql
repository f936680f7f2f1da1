-- The open positions of the given deployments (Maxxit's `positions`): the
-- venue and token of each, so routing sends a signal where its deployment
-- already holds the token. Open = status OPEN and not closed.
SELECT p.deployment_id, p.venue::text AS venue, p.token_symbol
FROM positions AS p
WHERE p.deployment_id = ANY ($1::uuid[])
  AND upper(p.status) = 'OPEN'
  AND p.closed_at IS NULL
