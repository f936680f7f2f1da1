-- The foreign key and check constraints of the given tables (search path):
-- kind ('f' or 'c'), columns, referenced table and columns, and the
-- referential actions as pg_constraint codes ('a' no action, 'r' restrict,
-- 'c' cascade, 'n' set null, 'd' set default).
SELECT t.name AS table_name,
       c.conname::text AS constraint_name,
       c.contype::text AS kind,
       ARRAY(
           SELECT a.attname::text
           FROM unnest(c.conkey) WITH ORDINALITY AS k (attnum, ord)
           JOIN pg_attribute AS a ON a.attrelid = c.conrelid AND a.attnum = k.attnum
           ORDER BY k.ord
       ) AS columns,
       CASE WHEN c.contype = 'f' THEN c.confrelid::regclass::text END AS references_table,
       ARRAY(
           SELECT a.attname::text
           FROM unnest(c.confkey) WITH ORDINALITY AS k (attnum, ord)
           JOIN pg_attribute AS a ON a.attrelid = c.confrelid AND a.attnum = k.attnum
           ORDER BY k.ord
       ) AS references_columns,
       nullif(c.confdeltype::text, ' ') AS on_delete,
       nullif(c.confupdtype::text, ' ') AS on_update
FROM unnest($1::text[]) AS t (name)
JOIN pg_constraint AS c ON c.conrelid = to_regclass(t.name)
WHERE c.contype IN ('f', 'c')
ORDER BY t.name, c.conname
