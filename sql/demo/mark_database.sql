-- Marks the current database as a demo database (issue 23), naming it: the mark counts only
-- in the database it names. $1: the tool that marks it. Returns a row only when it marked.
INSERT INTO agent_where_demo_database (database_name, marked_by)
VALUES (current_database(), $1::text)
ON CONFLICT (database_name) DO NOTHING
RETURNING database_name
