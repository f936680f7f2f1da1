-- Writes a whole batch's decisions in one statement: the chosen venue of a
-- routed signal ($2 not NULL), or the skip reason of a skipped one ($3).
-- Only rows still pending change; they are locked by this transaction.
UPDATE signals AS s
SET venue = coalesce(d.venue::venue_t, s.venue),
    skipped_reason = d.skipped_reason
FROM unnest($1::uuid[], $2::text[], $3::text[]) AS d (id, venue, skipped_reason)
WHERE s.id = d.id
  AND s.venue = 'MULTI'
  AND s.skipped_reason IS NULL
