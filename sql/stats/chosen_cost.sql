-- The estimated cost of the chosen venue over the routed decisions of a window:
-- one row per selected venue and one for all of them (venue NULL), with how
-- many routed decisions carry a figure (`total_cost_bps` in the chosen venue's
-- venue_availability entry, written since migration V11), how many of those are
-- at the order's notional (cost_basis = 'order_notional', the rest top of book)
-- and the exact means of the total and its parts, in bps.
-- $1 since, $2 until, $3 token, $4 agent, $5 venue: as in group_by.sql.
WITH routed AS (
    SELECT d.selected_venue AS venue,
           d.venue_availability -> d.selected_venue AS v
    FROM routing_decisions AS d
    WHERE d.routed
      AND ($1::timestamptz IS NULL OR d.created_at >= $1::timestamptz)
      AND ($2::timestamptz IS NULL OR d.created_at < $2::timestamptz)
      AND ($3::text IS NULL OR upper(d.token_symbol) = upper($3::text) OR upper(d.market_symbol) = upper($3::text)
           OR upper(d.requested_token) = upper($3::text))
      AND ($4::uuid IS NULL OR d.agent_id = $4::uuid)
      AND ($5::text IS NULL OR d.selected_venue = $5::text OR $5::text = ANY (d.checked_venues))
),
figures AS (
    SELECT venue,
           CASE WHEN jsonb_typeof(v -> 'total_cost_bps') = 'number' THEN (v ->> 'total_cost_bps')::float8 END AS total,
           CASE WHEN jsonb_typeof(v -> 'fee_bps') = 'number' THEN (v ->> 'fee_bps')::float8 END AS fee,
           CASE WHEN jsonb_typeof(v -> 'half_spread_bps') = 'number' THEN (v ->> 'half_spread_bps')::float8 END AS half_spread,
           CASE WHEN jsonb_typeof(v -> 'impact_bps') = 'number' THEN (v ->> 'impact_bps')::float8 END AS impact,
           (v ->> 'cost_basis') = 'order_notional' AS at_notional
    FROM routed
)
SELECT CASE WHEN GROUPING(venue) = 1 THEN NULL ELSE COALESCE(venue, '(none)') END AS venue,
       count(*) AS routed,
       count(total) AS costed,
       count(total) FILTER (WHERE at_notional) AS at_notional,
       avg(total) AS avg_cost_bps,
       avg(fee) FILTER (WHERE total IS NOT NULL) AS avg_fee_bps,
       avg(half_spread) FILTER (WHERE total IS NOT NULL) AS avg_half_spread_bps,
       avg(impact) FILTER (WHERE total IS NOT NULL) AS avg_impact_bps
FROM figures
GROUP BY GROUPING SETS ((venue), ())
ORDER BY GROUPING(venue) DESC, venue
