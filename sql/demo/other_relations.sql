-- Tables and views of the current database that are neither Agent Where's ($1: its tables and
-- views, resolved in the search path) nor an extension's: another application's schema (a
-- host such as Maxxit, a hosted server's own schemas). At most 5, for the message.
SELECT format('%I.%I', n.nspname, c.relname) AS name
FROM pg_class AS c
JOIN pg_namespace AS n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg\_%'
  AND NOT EXISTS (
      SELECT 1 FROM unnest($1::text[]) AS t (name) WHERE to_regclass(t.name) = c.oid
  )
  AND NOT EXISTS (
      SELECT 1 FROM pg_depend AS d
      WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e'
  )
ORDER BY 1
LIMIT 5
