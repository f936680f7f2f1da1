-- Whether a database of this name exists on the server.
SELECT EXISTS (SELECT 1 FROM pg_database AS d WHERE d.datname = $1::text) AS exists
