-- The statement that creates database $1 as a copy of database $2, names
-- quoted by PostgreSQL.
SELECT format('CREATE DATABASE %I TEMPLATE %I', $1::text, $2::text) AS statement
