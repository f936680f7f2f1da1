-- Writes a whole batch's decisions in one statement: the chosen venue of a
-- routed signal ($2 not NULL), or the skip reason of a skipped one ($3).
-- Only rows still pending change; they are locked by this transaction.
-- $4 (issue 22): a routed signal's executor symbol, the token_symbol the host's
-- executor resolves to exactly the chosen market (NULL keeps the token).
UPDATE signals AS s
SET venue = coalesce(d.venue::venue_t, s.venue),
    skipped_reason = d.skipped_reason,
    token_symbol = coalesce(d.token_symbol, s.token_symbol)
FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[]) AS d (id, venue, skipped_reason, token_symbol)
WHERE s.id = d.id
  AND s.venue = 'MULTI'
  AND s.skipped_reason IS NULL
