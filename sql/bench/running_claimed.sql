-- bench-routing --follow: signals decided so far by the running routing runs (their counters
-- advance in each batch's own transaction, so this is what another client sees committed). One
-- row read, cheap enough to ask every few milliseconds while a burst is being decided.
SELECT coalesce(sum(r.claimed), 0)::bigint AS claimed
FROM routing_runs AS r
WHERE r.status = 'RUNNING'
