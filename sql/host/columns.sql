-- The columns of the given tables in the current schema: what the host
-- schema offers (Agent Where's minimal tables, or Maxxit's).
SELECT c.table_name::text AS table_name, c.column_name::text AS column_name
FROM information_schema.columns AS c
WHERE c.table_schema = current_schema()
  AND c.table_name = ANY ($1::text[])
ORDER BY c.table_name, c.ordinal_position
