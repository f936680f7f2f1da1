-- Which of the given tables (or views) exist in the current search path.
SELECT t.name
FROM unnest($1::text[]) AS t (name)
WHERE to_regclass(t.name) IS NOT NULL
