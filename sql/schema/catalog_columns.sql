-- The columns of the given tables (search path), as PostgreSQL prints them
-- (read from pg_attribute, which every role sees whole, unlike
-- information_schema; host detection and the schema check read it):
-- type by format_type, default by pg_get_expr. A missing table has no rows.
SELECT t.name AS table_name,
       a.attname::text AS column_name,
       format_type(a.atttypid, a.atttypmod) AS sql_type,
       NOT a.attnotnull AS nullable,
       pg_get_expr(d.adbin, d.adrelid) AS column_default
FROM unnest($1::text[]) AS t (name)
JOIN pg_attribute AS a ON a.attrelid = to_regclass(t.name)
LEFT JOIN pg_attrdef AS d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE a.attnum > 0
  AND NOT a.attisdropped
ORDER BY t.name, a.attnum
