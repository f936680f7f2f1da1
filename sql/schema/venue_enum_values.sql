-- The labels of the `venue_t` enum, in enum order.
SELECT e.enumlabel::text
FROM pg_enum AS e
WHERE e.enumtypid = 'venue_t'::regtype
ORDER BY e.enumsortorder
