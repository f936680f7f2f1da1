-- Routing decisions in a window, aggregated per group: one flat row per key.
-- $1 since (inclusive, NULL = unbounded), $2 until (exclusive, NULL = unbounded),
-- $3 token (case-insensitive, matches token_symbol or market_symbol), $4 agent id,
-- $5 venue (selected or checked), $6 key: all|venue|token|reason|agent|hour|day,
-- $7 maximum number of groups (NULL = all).
-- A decision is routed when outcome = 'ROUTED', or when outcome is NULL (rows of the
-- original system) and a venue was selected; every other decision is skipped.
-- The skip reason code is the leading upper-case word before ':' of the signal's
-- skipped_reason, else of the history row's routing_reason (unless it names a venue),
-- else 'UNKNOWN'. Decision time is routing_duration_us; NULLs are left out, never zero.
WITH decisions AS (
    SELECT
        h.created_at,
        s.agent_id,
        upper(h.token_symbol) AS token,
        h.selected_venue::text AS venue,
        (h.outcome = 'ROUTED' OR (h.outcome IS NULL AND h.selected_venue IS NOT NULL)) AS routed,
        COALESCE(
            c.signal_code,
            CASE WHEN c.history_code NOT IN ('HYPERLIQUID', 'OSTIUM', 'GMX', 'SPOT', 'MULTI') THEN c.history_code END,
            'UNKNOWN'
        ) AS reason,
        h.routing_duration_us::float8 AS duration_us
    FROM venue_routing_history h
    JOIN signals s ON s.id = h.signal_id
    CROSS JOIN LATERAL (
        SELECT
            substring(s.skipped_reason FROM '^([A-Z][A-Z0-9_]*)(:|$)') AS signal_code,
            substring(h.routing_reason FROM '^([A-Z][A-Z0-9_]*):') AS history_code
    ) c
    WHERE ($1::timestamptz IS NULL OR h.created_at >= $1::timestamptz)
      AND ($2::timestamptz IS NULL OR h.created_at < $2::timestamptz)
      AND ($3::text IS NULL OR upper(h.token_symbol) = upper($3::text) OR upper(h.market_symbol) = upper($3::text))
      AND ($4::uuid IS NULL OR s.agent_id = $4::uuid)
      AND ($5::text IS NULL OR h.selected_venue::text = $5::text OR $5::text = ANY (h.checked_venues))
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
            ELSE 'all'
        END AS key,
        routed,
        venue,
        duration_us
    FROM decisions
)
SELECT
    key,
    count(*) AS decisions,
    count(*) FILTER (WHERE routed) AS routed,
    count(*) FILTER (WHERE NOT routed) AS skipped,
    count(*) FILTER (WHERE routed AND venue = 'HYPERLIQUID') AS hyperliquid,
    count(*) FILTER (WHERE routed AND venue = 'OSTIUM') AS ostium,
    count(*) FILTER (WHERE routed AND venue IS DISTINCT FROM 'HYPERLIQUID' AND venue IS DISTINCT FROM 'OSTIUM') AS other_venues,
    count(duration_us) AS timed,
    avg(duration_us) AS avg_us,
    percentile_cont(0.5) WITHIN GROUP (ORDER BY duration_us) AS p50_us,
    percentile_cont(0.95) WITHIN GROUP (ORDER BY duration_us) AS p95_us,
    max(duration_us) AS max_us
FROM keyed
GROUP BY key
ORDER BY
    CASE WHEN $6::text IN ('hour', 'day') THEN key END,
    count(*) DESC,
    key
LIMIT $7::bigint
