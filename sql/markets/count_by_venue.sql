-- Markets per venue: total and active.
SELECT m.venue::text AS venue, count(*) AS total, count(*) FILTER (WHERE m.is_active) AS active
FROM venue_markets AS m
GROUP BY m.venue
ORDER BY m.venue
