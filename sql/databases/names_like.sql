-- Names of the databases matching a LIKE pattern (test and benchmark scratch databases).
SELECT d.datname AS name
FROM pg_database AS d
WHERE d.datname LIKE $1::text
ORDER BY d.datname
