-- The indexes of the given tables (search path): name, uniqueness, whether
-- partial or over expressions, and the plain columns in key order.
SELECT t.name AS table_name,
       ic.relname::text AS index_name,
       i.indisunique AS is_unique,
       i.indisprimary AS is_primary,
       i.indpred IS NOT NULL AS partial,
       i.indexprs IS NOT NULL AS has_expressions,
       ARRAY(
           SELECT a.attname::text
           FROM unnest(i.indkey::int2[]) WITH ORDINALITY AS k (attnum, ord)
           JOIN pg_attribute AS a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
           ORDER BY k.ord
       ) AS columns
FROM unnest($1::text[]) AS t (name)
JOIN pg_index AS i ON i.indrelid = to_regclass(t.name)
JOIN pg_class AS ic ON ic.oid = i.indexrelid
ORDER BY t.name, ic.relname
