-- Counts pending MULTI signals (only agent $1's when $1 is not NULL), to size the progress bar.
SELECT count(*) AS pending
FROM signals AS s
WHERE s.venue = 'MULTI'
  AND s.skipped_reason IS NULL
  AND ($1::uuid IS NULL OR s.agent_id = $1::uuid)
