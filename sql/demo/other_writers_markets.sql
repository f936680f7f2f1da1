-- Whether `venue_markets` holds a row no Agent Where sync wrote (no `base_symbol`: another
-- writer's, such as Maxxit's own sync scripts). Read before setup migrates, so the column may
-- be missing.
SELECT EXISTS (
    SELECT 1 FROM venue_markets AS m WHERE (to_jsonb(m) ->> 'base_symbol') IS NULL
) AS found
