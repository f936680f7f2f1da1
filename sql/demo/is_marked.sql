-- Whether the current database carries the demo mark (a row naming it).
SELECT EXISTS (
    SELECT 1 FROM agent_where_demo_database WHERE database_name = current_database()
) AS marked
