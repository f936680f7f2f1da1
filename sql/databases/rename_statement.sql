-- The statement that renames database $1 to $2, names quoted by PostgreSQL.
SELECT format('ALTER DATABASE %I RENAME TO %I', $1::text, $2::text) AS statement
