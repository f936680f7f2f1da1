-- The statement that creates database $1, its name quoted by PostgreSQL
-- (CREATE DATABASE takes no parameters and cannot run in a transaction).
SELECT format('CREATE DATABASE %I', $1::text) AS statement
