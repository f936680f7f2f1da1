-- Routing decisions in a window, aggregated per group: one flat row per key.
-- $1 since (inclusive, NULL = unbounded), $2 until (exclusive, NULL = unbounded),
-- $3 token (case-insensitive, matches token_symbol or market_symbol), $4 agent id,
-- $5 venue (selected or checked), $6 key: all|venue|token|reason|agent|hour|day|cost|capacity,
-- $7 maximum number of groups (NULL = all).
-- cost: band of the chosen venue's estimated all-in cost (venue_availability ->
-- venue -> total_cost_bps, written since migration V11): `0-5 bps`, `5-10 bps`,
-- `10-20 bps`, `20-50 bps`, `50+ bps`, `(no figure)`; skipped decisions `(skipped)`.
-- capacity: the capacity refusals among the checked venues (OPEN_INTEREST_CAP,
-- ABOVE_CAPACITY, joined by `+`), `(none)` without one.
-- Outcome and skip reason code come from the view `routing_decisions` (migration V3).
-- routed_by_venue holds the routed decisions per selected venue, as a JSON object
-- (every venue, so a new venue needs no change here).
-- Decision time is routing_duration_us; NULLs are left out, never zero.
-- Latency is the signal's wait, decision_latency_seconds (decided_at − the signal's
-- created_at, migration V12); decisions written before V12 have none and are left out.
WITH decisions AS (
    SELECT
        d.created_at,
        d.agent_id,
        upper(d.token_symbol) AS token,
        d.selected_venue AS venue,
        d.routed,
        d.skip_reason AS reason,
        d.routing_duration_us::float8 AS duration_us,
        d.decision_latency_seconds AS latency_s,
        d.venue_availability AS availability
    FROM routing_decisions AS d
    WHERE ($1::timestamptz IS NULL OR d.created_at >= $1::timestamptz)
      AND ($2::timestamptz IS NULL OR d.created_at < $2::timestamptz)
      AND ($3::text IS NULL OR upper(d.token_symbol) = upper($3::text) OR upper(d.market_symbol) = upper($3::text)
           OR upper(d.requested_token) = upper($3::text))
      AND ($4::uuid IS NULL OR d.agent_id = $4::uuid)
      AND ($5::text IS NULL OR d.selected_venue = $5::text OR $5::text = ANY (d.checked_venues))
),
keyed AS (
    SELECT
        CASE $6::text
            WHEN 'venue' THEN CASE WHEN routed THEN COALESCE(venue, '(none)') ELSE '(skipped)' END
            WHEN 'token' THEN token
            WHEN 'reason' THEN CASE WHEN routed THEN '(routed)' ELSE reason END
            WHEN 'agent' THEN agent_id::text
            WHEN 'hour' THEN to_char(date_trunc('hour', created_at AT TIME ZONE 'UTC'), 'YYYY-MM-DD HH24:MI')
            WHEN 'day' THEN to_char(date_trunc('day', created_at AT TIME ZONE 'UTC'), 'YYYY-MM-DD')
            WHEN 'cost' THEN CASE
                WHEN NOT routed THEN '(skipped)'
                WHEN c.cost IS NULL THEN '(no figure)'
                WHEN c.cost < 5 THEN '0-5 bps'
                WHEN c.cost < 10 THEN '5-10 bps'
                WHEN c.cost < 20 THEN '10-20 bps'
                WHEN c.cost < 50 THEN '20-50 bps'
                ELSE '50+ bps'
            END
            WHEN 'capacity' THEN COALESCE(
                (SELECT string_agg(DISTINCT e.value ->> 'reason', '+' ORDER BY e.value ->> 'reason')
                 FROM jsonb_each(CASE WHEN jsonb_typeof(availability) = 'object' THEN availability ELSE '{}' END) AS e
                 WHERE e.value ->> 'reason' IN ('OPEN_INTEREST_CAP', 'ABOVE_CAPACITY')),
                '(none)')
            ELSE 'all'
        END AS key,
        routed,
        venue,
        duration_us,
        latency_s
    FROM decisions
    CROSS JOIN LATERAL (
        SELECT CASE
            WHEN $6::text = 'cost' AND jsonb_typeof(availability -> venue -> 'total_cost_bps') = 'number'
            THEN (availability -> venue ->> 'total_cost_bps')::float8
        END AS cost
    ) AS c
),
per_venue AS (
    SELECT v.key, jsonb_object_agg(v.venue, v.routed) AS routed_by_venue
    FROM (
        SELECT key, COALESCE(venue, '(none)') AS venue, count(*) AS routed
        FROM keyed
        WHERE routed
        GROUP BY key, COALESCE(venue, '(none)')
    ) AS v
    GROUP BY v.key
)
SELECT
    k.key,
    count(*) AS decisions,
    count(*) FILTER (WHERE k.routed) AS routed,
    count(*) FILTER (WHERE NOT k.routed) AS skipped,
    COALESCE(min(p.routed_by_venue::text), '{}')::jsonb AS routed_by_venue,
    count(k.duration_us) AS timed,
    avg(k.duration_us) AS avg_us,
    percentile_cont(0.5) WITHIN GROUP (ORDER BY k.duration_us) AS p50_us,
    percentile_cont(0.95) WITHIN GROUP (ORDER BY k.duration_us) AS p95_us,
    max(k.duration_us) AS max_us,
    count(k.latency_s) AS latency_decisions,
    percentile_cont(0.5) WITHIN GROUP (ORDER BY k.latency_s) AS latency_p50_s,
    percentile_cont(0.95) WITHIN GROUP (ORDER BY k.latency_s) AS latency_p95_s,
    percentile_cont(0.99) WITHIN GROUP (ORDER BY k.latency_s) AS latency_p99_s,
    max(k.latency_s) AS latency_max_s
FROM keyed AS k
LEFT JOIN per_venue AS p ON p.key = k.key
GROUP BY k.key
ORDER BY
    CASE WHEN $6::text IN ('hour', 'day') THEN k.key END,
    count(*) DESC,
    k.key
LIMIT $7::bigint
