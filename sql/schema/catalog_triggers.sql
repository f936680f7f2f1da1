-- The triggers of the given tables (search path) with their function, enabled or not: the
-- schema check verifies the ones Agent Where installs (Prisma cannot model triggers), and
-- route-pending-signals --follow LISTENs only where its wake-up trigger is there and enabled.
SELECT t.name AS table_name,
       g.tgname::text AS trigger_name,
       p.proname::text AS function_name,
       g.tgenabled <> 'D' AS enabled
FROM unnest($1::text[]) AS t (name)
JOIN pg_trigger AS g ON g.tgrelid = to_regclass(t.name) AND NOT g.tgisinternal
JOIN pg_proc AS p ON p.oid = g.tgfoid
ORDER BY t.name, g.tgname
