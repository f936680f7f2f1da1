-- Active markets of one venue within a sync scope ($1 venue; $2 dex names,
-- '' = the main dex, NULL = every market of the venue).
SELECT count(*) AS active
FROM venue_markets
WHERE venue = $1::text::venue_t
  AND is_active
  AND ($2::text[] IS NULL OR coalesce(dex, '') = ANY ($2::text[]))
