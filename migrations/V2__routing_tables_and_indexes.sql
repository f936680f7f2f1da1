-- Agent Where, migration 2: routing configuration, audit history, run records,
-- the market columns routing needs, and the indexes routing and stats use.
--
-- Purely additive on a Maxxit database: new tables, new nullable columns, new
-- indexes. The one relaxation is `venue_routing_history.selected_venue`, which
-- becomes nullable so that skipped decisions are audited too.

-- Market columns (ARCHITECTURE.md §3). All nullable: rows synced by the
-- original scripts keep working and are filled in by the next sync.
ALTER TABLE venue_markets
    ADD COLUMN IF NOT EXISTS base_symbol text,
    ADD COLUMN IF NOT EXISTS quote_symbol text,
    ADD COLUMN IF NOT EXISTS price_scale double precision,
    ADD COLUMN IF NOT EXISTS dex text,
    ADD COLUMN IF NOT EXISTS market_open boolean,
    ADD COLUMN IF NOT EXISTS market_status_at timestamptz,
    ADD COLUMN IF NOT EXISTS delisted_at timestamptz,
    ADD COLUMN IF NOT EXISTS liquidity_usd double precision,
    ADD COLUMN IF NOT EXISTS open_interest_usd double precision,
    ADD COLUMN IF NOT EXISTS long_open_interest_usd double precision,
    ADD COLUMN IF NOT EXISTS short_open_interest_usd double precision,
    ADD COLUMN IF NOT EXISTS max_open_interest_usd double precision,
    ADD COLUMN IF NOT EXISTS day_volume_usd double precision,
    ADD COLUMN IF NOT EXISTS spread_bps double precision,
    ADD COLUMN IF NOT EXISTS taker_fee_bps double precision,
    ADD COLUMN IF NOT EXISTS maker_fee_bps double precision,
    ADD COLUMN IF NOT EXISTS funding_rate double precision;

CREATE INDEX IF NOT EXISTS venue_markets_venue_base_symbol_idx ON venue_markets (venue, base_symbol);

-- Routing configuration: one row per agent, at most one global row (agent_id IS NULL).
CREATE TABLE IF NOT EXISTS venue_routing_config (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    agent_id uuid REFERENCES agents (id) ON DELETE CASCADE,
    venue_priority text[],
    routing_strategy text NOT NULL DEFAULT 'FIRST_AVAILABLE',
    failover_enabled boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

DO $$
DECLARE
    globals bigint;
BEGIN
    IF to_regclass('venue_routing_config_agent_id_key') IS NULL THEN
        ALTER TABLE venue_routing_config
            ADD CONSTRAINT venue_routing_config_agent_id_key UNIQUE (agent_id);
    END IF;
    SELECT count(*) INTO globals FROM venue_routing_config WHERE agent_id IS NULL;
    IF globals > 1 THEN
        RAISE EXCEPTION 'venue_routing_config holds % global rows (agent_id IS NULL); keep one, delete the others, then run setup-agent-where again', globals
            USING ERRCODE = 'unique_violation';
    END IF;
END
$$;

CREATE UNIQUE INDEX IF NOT EXISTS venue_routing_config_one_global_key
    ON venue_routing_config ((agent_id IS NULL)) WHERE agent_id IS NULL;

-- Per-token overrides: a priority list for one canonical symbol, global
-- (agent_id IS NULL) or per agent. Kept apart from venue_routing_config so
-- that table keeps its Maxxit meaning (one row per agent).
CREATE TABLE IF NOT EXISTS venue_routing_overrides (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    agent_id uuid REFERENCES agents (id) ON DELETE CASCADE,
    token_symbol text NOT NULL,
    venue_priority text[] NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE UNIQUE INDEX IF NOT EXISTS venue_routing_overrides_agent_token_key
    ON venue_routing_overrides (agent_id, token_symbol) WHERE agent_id IS NOT NULL;
CREATE UNIQUE INDEX IF NOT EXISTS venue_routing_overrides_global_token_key
    ON venue_routing_overrides (token_symbol) WHERE agent_id IS NULL;

-- Audit trail: one row per routing decision, routed or skipped.
CREATE TABLE IF NOT EXISTS venue_routing_history (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    signal_id uuid NOT NULL REFERENCES signals (id) ON DELETE CASCADE,
    token_symbol text NOT NULL,
    requested_venue venue_t NOT NULL,
    selected_venue venue_t,
    routing_reason text NOT NULL,
    checked_venues text[],
    venue_availability jsonb NOT NULL,
    routing_duration_ms integer,
    created_at timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE venue_routing_history ALTER COLUMN selected_venue DROP NOT NULL;

ALTER TABLE venue_routing_history
    ADD COLUMN IF NOT EXISTS outcome text,
    ADD COLUMN IF NOT EXISTS strategy text,
    ADD COLUMN IF NOT EXISTS config_source text,
    ADD COLUMN IF NOT EXISTS market_symbol text,
    ADD COLUMN IF NOT EXISTS run_id uuid,
    ADD COLUMN IF NOT EXISTS routing_duration_us bigint;

CREATE INDEX IF NOT EXISTS venue_routing_history_created_at_idx ON venue_routing_history (created_at);
CREATE INDEX IF NOT EXISTS venue_routing_history_signal_id_idx ON venue_routing_history (signal_id);
CREATE INDEX IF NOT EXISTS venue_routing_history_token_symbol_selected_venue_idx
    ON venue_routing_history (token_symbol, selected_venue);

-- Pending MULTI signals, in the order the router claims them.
CREATE INDEX IF NOT EXISTS signals_multi_pending_idx
    ON signals (created_at, id) WHERE venue = 'MULTI' AND skipped_reason IS NULL;

-- One row per market sync run: the evidence for staleness checks and health.
CREATE TABLE IF NOT EXISTS venue_sync_runs (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    venue venue_t NOT NULL,
    source text NOT NULL,
    status text NOT NULL,
    started_at timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz,
    markets_seen integer,
    added integer,
    updated integer,
    delisted integer,
    reactivated integer,
    unchanged integer,
    active_total integer,
    error text,
    CONSTRAINT venue_sync_runs_status_check CHECK (status IN ('RUNNING', 'SUCCEEDED', 'FAILED'))
);

CREATE INDEX IF NOT EXISTS venue_sync_runs_venue_finished_at_idx
    ON venue_sync_runs (venue, finished_at DESC) WHERE status = 'SUCCEEDED';

-- One row per route-pending-signals run. The counters are advanced in the
-- transaction of each committed batch, so they always match the history.
CREATE TABLE IF NOT EXISTS routing_runs (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    status text NOT NULL,
    started_at timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz,
    claimed bigint NOT NULL DEFAULT 0,
    routed bigint NOT NULL DEFAULT 0,
    skipped bigint NOT NULL DEFAULT 0,
    routed_by_venue jsonb NOT NULL DEFAULT '{}',
    skipped_by_reason jsonb NOT NULL DEFAULT '{}',
    options jsonb NOT NULL DEFAULT '{}',
    host text,
    pid integer,
    error text,
    CONSTRAINT routing_runs_status_check CHECK (status IN ('RUNNING', 'COMPLETED', 'FAILED'))
);

CREATE INDEX IF NOT EXISTS routing_runs_started_at_idx ON routing_runs (started_at);
