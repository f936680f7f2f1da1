-- The statement that drops database $1 if it exists, closing its connections,
-- its name quoted by PostgreSQL.
SELECT format('DROP DATABASE IF EXISTS %I WITH (FORCE)', $1::text) AS statement
