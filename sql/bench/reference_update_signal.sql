-- Benchmark "reference" (per-signal, as the original): record one signal's outcome.
UPDATE signals
SET venue = coalesce($2::text::venue_t, venue), skipped_reason = $3
WHERE id = $1
