-- The migrations recorded as applied (refinery's table agent_where_schema_history).
SELECT h.version, h.name, h.checksum
FROM agent_where_schema_history AS h
ORDER BY h.version
