-- Listed markets Agent Where keeps for one venue within a sync scope: not
-- delisted, written by Agent Where (base_symbol set; rows only another writer
-- keeps are not counted), open or closed ($1 venue; $2 dex names, '' = the
-- main dex, NULL = every market of the venue).
SELECT count(*) AS active
FROM venue_markets
WHERE venue = $1::text::venue_t
  AND delisted_at IS NULL
  AND base_symbol IS NOT NULL
  AND ($2::text[] IS NULL OR coalesce(dex, '') = ANY ($2::text[]))
