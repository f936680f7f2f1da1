-- The columns of the given tables (search path): what the host schema offers
-- (Agent Where's minimal tables, or Maxxit's). Read from pg_attribute, which
-- every role sees whole (information_schema hides columns a role may not
-- use), so a least-privilege role reads the host as it is.
SELECT t.name AS table_name, a.attname::text AS column_name
FROM unnest($1::text[]) AS t (name)
JOIN pg_attribute AS a ON a.attrelid = to_regclass(t.name)
WHERE a.attnum > 0
  AND NOT a.attisdropped
ORDER BY t.name, a.attnum
