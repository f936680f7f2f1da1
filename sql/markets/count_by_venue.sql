-- Markets per venue: total and active.
SELECT venue::text, count(*) AS total, count(*) FILTER (WHERE is_active) AS active
FROM venue_markets
GROUP BY venue
ORDER BY venue
