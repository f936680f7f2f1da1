-- Who holds the advisory lock with the bigint key $1, for a lock-timeout error: backend pid,
-- application, client address, state (`idle` on a pooled connection is a lock left behind) and
-- for how many seconds it has been in that state. Columns other sessions may not see are NULL.
SELECT a.pid,
       a.application_name,
       host(a.client_addr) AS client,
       a.state,
       extract(epoch FROM now() - a.state_change)::float8 AS state_seconds
FROM pg_locks AS l
JOIN pg_stat_activity AS a ON a.pid = l.pid
WHERE l.locktype = 'advisory'
  AND l.granted
  AND l.objsubid = 1
  AND ((l.classid::bigint << 32) | l.objid::bigint) = $1::bigint
ORDER BY a.pid
LIMIT 1
