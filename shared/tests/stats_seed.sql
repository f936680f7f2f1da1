-- Generated routing history for the routing-stats tests (shared/tests/it/stats.rs and
-- bins/tests/it/routing_stats.rs). Timestamps are relative to now() and stay at least
-- five minutes away from every window edge (1 hour, 1 day, 1 week).
--   i % 4  picks the age: 0 last hour, 1 last day, 2 last week, 3 older (10-59 days)
--   i % 11 picks the outcome: 0-4 HYPERLIQUID, 5-6 OSTIUM, 7 NO_VENUE_AVAILABLE,
--          8 SIGNAL_EXPIRED, 9 INVALID_SIGNAL, 10 original-system row (outcome NULL)
--   i % 7  picks the token as the agent wrote it (BTC and btc are one token)
--   i % 3  picks the agent; i % 6 = 0 has no routing_duration_us
--   decided_at (migration V12) is created_at + (i % 5) s, so a signal (created 2 s before its
--   history row) waited 2 to 6 s; original-system rows predate V12 and have none
INSERT INTO agents (id, creator_wallet, name, venue, profit_receiver_address) VALUES
    ('a0000000-0000-4000-8000-000000000001', '0xalpha', 'alpha', 'MULTI', '0xalpha'),
    ('a0000000-0000-4000-8000-000000000002', '0xbeta', 'beta', 'MULTI', '0xbeta'),
    ('a0000000-0000-4000-8000-000000000003', '0xgamma', 'gamma', 'MULTI', '0xgamma');

CREATE TEMP TABLE seed AS
SELECT
    i,
    md5('signal-' || i)::uuid AS signal_id,
    ('a0000000-0000-4000-8000-00000000000' || (i % 3 + 1))::uuid AS agent_id,
    (ARRAY['BTC', 'btc', 'ETH', 'SOL', 'XAU', 'SPX', 'DOGE'])[i % 7 + 1] AS token,
    now() - CASE i % 4
        WHEN 0 THEN make_interval(mins => 5 + i % 50)
        WHEN 1 THEN make_interval(hours => 2 + i % 20, mins => i % 60)
        WHEN 2 THEN make_interval(days => 2 + i % 4, hours => i % 24)
        ELSE make_interval(days => 10 + i % 50)
    END AS created_at,
    i % 11 AS kind,
    CASE WHEN i % 6 = 0 THEN NULL ELSE (i * 37 % 900 + 50)::bigint END AS duration_us
FROM generate_series(1, 440) AS i;

INSERT INTO signals (id, agent_id, token_symbol, venue, side, size_model, risk_model, created_at, skipped_reason)
SELECT
    signal_id,
    agent_id,
    token,
    CASE
        WHEN kind <= 4 THEN 'HYPERLIQUID'
        WHEN kind <= 6 THEN 'OSTIUM'
        WHEN kind = 10 THEN CASE WHEN i % 2 = 0 THEN 'HYPERLIQUID' ELSE 'OSTIUM' END
        -- Reset by hand after the skip, then routed again (no second history row).
        WHEN kind = 8 AND i % 5 = 0 THEN 'HYPERLIQUID'
        ELSE 'MULTI'
    END::venue_t,
    CASE WHEN i % 2 = 0 THEN 'LONG' ELSE 'SHORT' END,
    '{"type": "balance-percentage", "value": 5}',
    '{"stopLoss": 0.05}',
    created_at - interval '2 seconds',
    CASE kind
        WHEN 7 THEN 'NO_VENUE_AVAILABLE: no venue lists ' || upper(token)
        -- Every fifth expired signal was reset by hand: the code must come from the history.
        WHEN 8 THEN CASE WHEN i % 5 = 0 THEN NULL ELSE 'SIGNAL_EXPIRED: older than 30m' END
        WHEN 9 THEN 'INVALID_SIGNAL: side missing'
    END
FROM seed;

INSERT INTO venue_routing_history (
    signal_id, token_symbol, requested_venue, selected_venue, routing_reason, checked_venues,
    venue_availability, routing_duration_ms, created_at, outcome, strategy, config_source,
    market_symbol, run_id, routing_duration_us, decided_at)
SELECT
    signal_id,
    token,
    'MULTI',
    CASE
        WHEN kind <= 4 THEN 'HYPERLIQUID'
        WHEN kind <= 6 THEN 'OSTIUM'
        WHEN kind = 10 THEN CASE WHEN i % 2 = 0 THEN 'HYPERLIQUID' ELSE 'OSTIUM' END
        -- A skipped decision records the venue it was asked for (migration 7).
        ELSE 'MULTI'
    END::venue_t,
    CASE
        WHEN kind <= 4 THEN 'HYPERLIQUID: available, "first" in priority'
        WHEN kind <= 6 THEN 'HYPERLIQUID: market not found; OSTIUM: available'
        WHEN kind = 7 THEN 'NO_VENUE_AVAILABLE: HYPERLIQUID: market not found; OSTIUM: market closed'
        WHEN kind = 8 THEN 'SIGNAL_EXPIRED: older than 30m'
        WHEN kind = 9 THEN 'INVALID_SIGNAL: side missing'
        ELSE 'HYPERLIQUID: Available (Index: 3)'
    END,
    CASE
        WHEN kind <= 4 THEN ARRAY['HYPERLIQUID']
        WHEN kind = 9 THEN ARRAY[]::text[]
        ELSE ARRAY['HYPERLIQUID', 'OSTIUM']
    END,
    '{"HYPERLIQUID": {"available": true, "reason": "ok, listed"}}',
    CASE WHEN kind = 10 THEN 40 + i % 30 END,
    created_at,
    CASE WHEN kind = 10 THEN NULL WHEN kind <= 6 THEN 'ROUTED' ELSE 'SKIPPED' END,
    CASE WHEN kind = 10 THEN NULL ELSE 'FIRST_AVAILABLE' END,
    CASE WHEN kind = 10 THEN NULL ELSE 'GLOBAL' END,
    CASE
        WHEN kind <= 4 THEN upper(token)
        WHEN kind <= 6 THEN upper(token) || '/USD'
    END,
    CASE WHEN kind = 10 THEN NULL ELSE md5('run-' || i % 4)::uuid END,
    CASE WHEN kind = 10 THEN NULL ELSE duration_us END,
    CASE WHEN kind = 10 THEN NULL ELSE created_at + make_interval(secs => i % 5) END
FROM seed;

-- A skip whose reason is free text on both sides: counted as UNKNOWN.
INSERT INTO signals (id, agent_id, token_symbol, venue, side, size_model, risk_model, created_at, skipped_reason)
VALUES ('5e000000-0000-4000-8000-000000000001', 'a0000000-0000-4000-8000-000000000002', 'PEPE', 'MULTI',
        'LONG', '{}', '{}', now() - interval '20 minutes', 'skipped by an operator');
INSERT INTO venue_routing_history (signal_id, token_symbol, requested_venue, selected_venue, routing_reason,
    checked_venues, venue_availability, created_at, outcome, strategy, config_source, routing_duration_us,
    decided_at)
VALUES ('5e000000-0000-4000-8000-000000000001', 'PEPE', 'MULTI', 'MULTI', 'HYPERLIQUID: market not found',
        ARRAY['HYPERLIQUID'], '{}', now() - interval '20 minutes', 'SKIPPED', 'FIRST_AVAILABLE', 'AGENT', 1234,
        now() - interval '20 minutes');

-- Two pending MULTI signals (no decision yet), the oldest 10 minutes old.
INSERT INTO signals (id, agent_id, token_symbol, venue, side, size_model, risk_model, created_at)
VALUES
    ('9e000000-0000-4000-8000-000000000001', 'a0000000-0000-4000-8000-000000000001', 'BTC', 'MULTI',
     'LONG', '{}', '{}', now() - interval '10 minutes'),
    ('9e000000-0000-4000-8000-000000000002', 'a0000000-0000-4000-8000-000000000003', 'ETH', 'MULTI',
     'SHORT', '{}', '{}', now() - interval '3 minutes');

-- Routing runs: two in the last hour (one still running), one failed in the last day,
-- one in the last week, one older.
INSERT INTO routing_runs (status, started_at, finished_at, claimed, routed, skipped) VALUES
    ('COMPLETED', now() - interval '30 minutes', now() - interval '29 minutes', 12, 9, 3),
    ('RUNNING', now() - interval '2 minutes', NULL, 4, 4, 0),
    ('FAILED', now() - interval '5 hours', now() - interval '5 hours', 7, 2, 1),
    ('COMPLETED', now() - interval '3 days', now() - interval '3 days', 20, 18, 2),
    ('COMPLETED', now() - interval '20 days', now() - interval '20 days', 50, 45, 5);

-- Markets: Hyperliquid 3 (2 active), Ostium 2 (both active).
INSERT INTO venue_markets (venue, token_symbol, market_name, is_active, base_symbol) VALUES
    ('HYPERLIQUID', 'BTC', 'BTC', true, 'BTC'),
    ('HYPERLIQUID', 'ETH', 'ETH', true, 'ETH'),
    ('HYPERLIQUID', 'OLD', 'OLD', false, 'OLD'),
    ('OSTIUM', 'XAU/USD', 'XAU-USD', true, 'XAU'),
    ('OSTIUM', 'SPX/USD', 'SPX-USD', true, 'SPX');

-- Syncs: Hyperliquid last succeeded 30 minutes ago (its newest attempt, 10 minutes ago,
-- failed); Ostium 2 hours ago.
INSERT INTO venue_sync_runs (venue, source, status, started_at, finished_at, active_total, error) VALUES
    ('HYPERLIQUID', 'test', 'SUCCEEDED', now() - interval '3 hours', now() - interval '3 hours', 2, NULL),
    ('HYPERLIQUID', 'test', 'SUCCEEDED', now() - interval '31 minutes', now() - interval '30 minutes', 2, NULL),
    ('HYPERLIQUID', 'test', 'FAILED', now() - interval '10 minutes', now() - interval '10 minutes', NULL, 'timeout'),
    ('OSTIUM', 'test', 'SUCCEEDED', now() - interval '2 hours', now() - interval '2 hours', 2, NULL);

DROP TABLE seed;
