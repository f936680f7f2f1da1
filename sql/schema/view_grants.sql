-- The grants on the view routing_decisions as GRANT statements (its owner's
-- own rights and PUBLIC left out), so that setup's repair can drop the view
-- before re-running the migrations and grant them again: an earlier
-- migration cannot replace a later one's definition that has more columns
-- (V14 appended requested_token).
SELECT format('GRANT %s ON routing_decisions TO %I', a.privilege_type, r.rolname) AS grant_statement
FROM pg_class AS c
CROSS JOIN LATERAL aclexplode(c.relacl) AS a
JOIN pg_roles AS r ON r.oid = a.grantee
WHERE c.oid = to_regclass('routing_decisions')
  AND a.grantee <> c.relowner
