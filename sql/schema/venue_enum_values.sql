-- The labels of the `venue_t` enum, in enum order (none when the type does not exist).
SELECT e.enumlabel::text AS label
FROM pg_enum AS e
WHERE e.enumtypid = to_regtype('venue_t')
ORDER BY e.enumsortorder
